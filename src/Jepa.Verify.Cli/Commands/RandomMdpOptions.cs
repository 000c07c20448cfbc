using System.CommandLine;

namespace Jepa.Verify.Cli.Commands;

/// <summary>The options that describe a seeded random complete deterministic MDP (<c>RandomMdps</c>), shared by the benchmarks.</summary>
internal sealed class RandomMdpOptions(int defaultStates, int defaultActions)
{
    public Option<int> States { get; } = new("--states") { Description = "Observations of the random MDP", DefaultValueFactory = _ => defaultStates, HelpName = "N" };

    public Option<int> Actions { get; } = new("--actions") { Description = "Actions", DefaultValueFactory = _ => defaultActions, HelpName = "K" };

    public Option<int> AuxValues { get; } = new("--aux-values") { Description = "Distinct aux values", DefaultValueFactory = _ => 3, HelpName = "V" };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the random MDP", DefaultValueFactory = _ => 1, HelpName = "S" };

    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object" };

    /// <summary>Opens the JSON object and writes the benchmark's name and the MDP's parameters.</summary>
    public void WriteHeader(System.Text.Json.Utf8JsonWriter w, string benchmark, int states, int actions, int auxValues, int seed)
    {
        w.WriteStartObject();
        w.WriteString("benchmark", benchmark);
        w.WriteNumber("states", states);
        w.WriteNumber("actions", actions);
        w.WriteNumber("aux_values", auxValues);
        w.WriteNumber("seed", seed);
    }

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { States, Actions, AuxValues, Seed, Json })
        {
            command.Options.Add(o);
        }
    }
}
