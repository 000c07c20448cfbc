using System.Collections.Immutable;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>The names of the <see cref="TrainingMode"/>s as the command line, configs and reports write them.</summary>
public static class TrainingModes
{
    /// <summary>Every mode's name, indexed by the mode: <c>joint</c>, <c>aux-only</c>, <c>dyn-only</c>, <c>random-aux</c>, <c>separate</c>.</summary>
    public static readonly ImmutableArray<string> Names = ["joint", "aux-only", "dyn-only", "random-aux", "separate"];

    /// <summary>The name of <paramref name="mode"/>, e.g. <c>dyn-only</c>.</summary>
    public static string Name(TrainingMode mode) => Names[(int)mode];

    /// <summary>The mode named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">When no mode has that name.</exception>
    public static TrainingMode Parse(string name) =>
        Names.IndexOf(name) is var i and >= 0 ? (TrainingMode)i : throw new ArgumentException($"unknown training mode '{name}'; one of {string.Join(", ", Names)}", nameof(name));
}
