using FsCheck;

namespace Jepa.Verify.Testing.Generators;

/// <summary>
/// FsCheck Arbitraries of complete deterministic MDPs, registered by type:
/// <c>[Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 12)]</c> on a method taking an
/// <see cref="Generators.MdpSpec"/> gives it MDPs of 1 to <c>EndSize</c> states (FsCheck's default EndSize is 100),
/// 1–3 actions and 1–3 aux values, shrunk by <see cref="MdpGenerators.Shrink"/> when the property fails.
/// </summary>
/// <example>
/// <code>
/// [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 200, EndSize = 12)]
/// public bool QuotientIsMinimal(MdpSpec spec) =&gt; …;
/// </code>
/// </example>
public static class MdpArbitraries
{
    /// <summary>Complete MDPs (every state has a successor under every action).</summary>
    public static Arbitrary<MdpSpec> MdpSpec() => MdpGenerators.CompleteSized();
}
