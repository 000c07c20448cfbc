using System.CommandLine;
using System.Text.Json;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Cli.Reports;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify explain FILE A B</c>: why must A and B get distinct latents, or why need they not?</summary>
internal static class ExplainCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var a = new Argument<string>("A") { Description = "First observation id" };
        var b = new Argument<string>("B") { Description = "Second observation id" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("explain", "Explain one pair: a shortest action sequence after which their aux values differ, or that none exists (they are bisimilar). Exit 0, or 2 on bad input.");
        input.AddTo(command, analysis: true);
        command.Arguments.Add(a);
        command.Arguments.Add(b);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var mdp = input.Load(r);
            var options = input.Options(r);
            var ia = InputOptions.Observation(mdp, r.GetValue(a)!);
            var ib = InputOptions.Observation(mdp, r.GetValue(b)!);
            var analysis = Analysis.Of(mdp, options);
            var witness = analysis.Result.Witness(ia, ib);
            if (r.GetValue(json))
            {
                io.Out.Write(Json(analysis, ia, ib, witness));
            }
            else
            {
                io.WriteText(Text(analysis, ia, ib, witness) + "\n");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Text(Analysis analysis, int a, int b, Witness? w)
    {
        var (na, nb) = (Mdp.OneLine.Escape(analysis.Name(a)), Mdp.OneLine.Escape(analysis.Name(b)));
        var partition = analysis.Result.Partition is not null;
        if (a == b)
        {
            return $"{na} and {nb} are the same observation: nothing to distinguish.";
        }

        if (w is not null)
        {
            var what = partition ? "not bisimilar" : "distinguishable on the observed transitions";
            return $"{na} and {nb} are {what}: {w.Describe(analysis.Mdp)}. A zero-loss encoder must give them distinct latents.";
        }

        return partition
            ? $"{na} and {nb} are bisimilar: no action sequence leads to different aux values. A zero-loss encoder may map them to one latent (a healthy collapse) but need not."
            : $"{na} and {nb} are not distinguishable on the observed transitions: no action sequence observed from both leads to different aux values, so the theorem does not force them apart.";
    }

    private static string Json(Analysis analysis, int a, int b, Witness? witness) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("source", analysis.Mdp.Source);
        w.WriteString("a", analysis.Name(a));
        w.WriteString("b", analysis.Name(b));
        w.WriteString("mode", analysis.Result.Partition is null ? "relation" : "partition");
        w.WriteBoolean("equivalent", witness is null);
        if (witness is null)
        {
            JsonText.Strings(w, "sequence", []);
            w.WriteNull("aux");
            w.WriteNull("reached");
        }
        else
        {
            WitnessJson.Write(w, analysis, witness);
        }

        w.WriteEndObject();
    });
}
