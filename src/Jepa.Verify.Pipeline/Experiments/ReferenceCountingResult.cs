using System.Collections.Immutable;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>Everything the reference counting experiment measured.</summary>
/// <param name="Settings">What was run.</param>
/// <param name="Observations">Training observations per seed, in seed order.</param>
/// <param name="Transitions">Distinct training transitions per seed, in seed order.</param>
/// <param name="ProbeImages">The first seed's first probe images (row-major, for the reconstruction figure).</param>
/// <param name="Outcomes">Every run, seed-major in mode order.</param>
/// <param name="Seconds">Wall time of the whole experiment.</param>
public sealed record ReferenceCountingResult(
    ReferenceCountingSettings Settings,
    ImmutableArray<int> Observations,
    ImmutableArray<int> Transitions,
    float[] ProbeImages,
    ImmutableArray<ReferenceOutcome> Outcomes,
    double Seconds);
