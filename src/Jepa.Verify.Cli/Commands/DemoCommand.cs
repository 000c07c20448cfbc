using System.CommandLine;
using Jepa.Verify.Environments;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Audit;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Proofs;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify demo</c>: the main job end to end on the built-in environments, checking its own
/// expected outcomes (exit 1 if one fails).
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CommandIo io)
    {
        var command = new Command("demo", "Run the main job on the built-in counting task and gridworld: conditions, bisimulation classes, witnesses, audit, finite data, and the Z3 proof. Exit 1 if an expected outcome fails.");
        command.SetAction(_ => CliApp.Guard(io.Error, () => Run(io.Out)));
        return command;
    }

    private static int Run(TextWriter o)
    {
        var failures = 0;
        void Expect(bool ok, string what)
        {
            o.WriteLine($"   [{(ok ? "ok" : "FAILED")}] {what}");
            failures += ok ? 0 : 1;
        }

        o.WriteLine("Jepa.Verify demo: which observations must a zero-loss JEPA keep apart?");
        o.WriteLine();

        var counting = ClassicMdps.Counting();
        o.WriteLine("1. The counting task reduced to its count (9 observations, inc/dec clipped to [0, 8], reward 1 iff count = 4)");
        var report = ConditionChecker.Check(counting);
        Expect(report.HypothesesHold, "the theorem's hypotheses hold: unique ids, deterministic, complete, finite aux");

        var keys = AuxKeys.Compute(counting.Aux);
        var result = Bisimilarity.Compute(counting);
        var classes = result.Partition!.Count;
        o.WriteLine($"2. Bisimulation classes: {classes}; the reward alone gives {keys.Max() + 1}");
        Expect(classes == 9, "9 classes, one per count: with zero L_dyn and L_p, every count gets its own latent");

        var analysis = new Analysis(counting, report, keys, result);
        o.WriteLine("3. Why: shortest distinguishing action sequences");
        foreach (var (a, b) in new[] { (0, 1), (3, 5), (0, 4) })
        {
            o.WriteLine($"   {counting.Observations[a]} vs {counting.Observations[b]}: {ExplainCommand.Describe(analysis, result.Witness(a, b)!)}");
        }

        var audit = AuxAudit.Run(counting, result, keys, ["count"]);
        o.WriteLine($"4. Audit of the label 'count': reward alone {audit.AuxOnly.Labels[0].Verdict} (purity {audit.AuxOnly.Labels[0].Purity:0.###}), reward + dynamics {audit.Bisimulation.Labels[0].Verdict}");
        Expect(audit.Bisimulation.Labels[0].Verdict == "kept", "the dynamics turn a sparse reward into the full count");

        var grid = ClassicMdps.Gridworld();
        var gridResult = Bisimilarity.Compute(grid);
        o.WriteLine($"5. Healthy collapse: a 3x4 gridworld rewarded in its last column has {gridResult.Partition!.Count} classes for 12 cells");
        Expect(gridResult.Partition.Count == 4 && gridResult.Witness(grid.IndexOfObservation("r0c1"), grid.IndexOfObservation("r2c1")) is null,
            "rows never matter, so r0c1 and r2c1 are bisimilar: an encoder may merge them (the theorem is one-sided)");

        var (walk, _) = ClassicMdps.CountingWalk(24, seed: 3);
        var walkReport = ConditionChecker.Check(walk);
        var relation = Bisimilarity.Compute(walk).Relation!;
        o.WriteLine($"6. Finite data: a 24-step random walk observes {walk.Transitions.Length} distinct transitions ({walkReport["completeness"].Count} missing)");
        o.WriteLine($"   only observed transitions constrain: {relation.DistinguishedCount} of {relation.PairCount} pairs are forced apart");
        Expect(!walkReport.Complete && walkReport.FiniteDataApplies && relation.DistinguishedCount < 36,
            "the guarantee shrinks to the distinguishable pairs of the data");

        var abstraction = FiniteAbstraction.FromResult(result, counting.Observations, counting.Actions, analysis.AuxText);
        var proof = AbstractionProver.Prove(abstraction, SolverPanel.For("z3"), new SolverOptions(TimeSpan.FromSeconds(60)));
        o.WriteLine($"7. Z3 on the counting MDP's finite abstraction ({proof.Queries[0].Result.Results[0].Solver}): collapse_possible = {(proof.CollapsePossible is { } c ? c.ToString().ToLowerInvariant() : "unknown")}, min_latents = {proof.MinLatents?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");
        Expect(proof.Verdict == ProofVerdict.Verified && proof.MinLatents == 9, "no zero-loss model merges two counts, and 9 latents are needed and enough");

        o.WriteLine();
        o.WriteLine(failures == 0
            ? "demo: every expected outcome holds. Try: ./jepa-verify classes examples/counting.json --witnesses"
            : $"demo: {failures} expected outcome(s) FAILED");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }
}
