using FsCheck;

namespace Jepa.Verify.Testing.Generators;

/// <summary>
/// FsCheck Arbitraries of finite datasets, registered by type: like <see cref="MdpArbitraries"/>, but each
/// transition is missing with probability 1/4, as in data collected by a policy.
/// </summary>
/// <example><c>[Property(Arbitrary = new[] { typeof(DatasetArbitraries) }, MaxTest = 200, EndSize = 12)]</c></example>
public static class DatasetArbitraries
{
    /// <summary>MDPs with missing transitions (<see cref="MdpSpec.IsComplete"/> is usually false).</summary>
    public static Arbitrary<MdpSpec> MdpSpec() => MdpGenerators.PartialSized();
}
