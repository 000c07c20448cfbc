using FsCheck.Xunit;

namespace Jepa.Verify.Properties.Fuzz;

/// <summary>
/// A fuzz property: FsCheck.Xunit's <see cref="PropertyAttribute"/> with the fuzz inputs registered by type
/// (<see cref="FuzzArbitraries"/>), the fixed replay seed, and a test count set here rather than in the
/// attribute's arguments, because the soak variable (<see cref="FuzzInputs.SoakVariable"/>) multiplies it at run time.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FuzzPropertyAttribute : PropertyAttribute
{
    /// <summary>A fuzz property with <paramref name="inputs"/> inputs in a normal run.</summary>
    /// <param name="inputs">Inputs in a normal run (<see cref="FuzzInputs.NormalCount"/> unless given).</param>
    public FuzzPropertyAttribute(int inputs = FuzzInputs.NormalCount)
    {
        MaxTest = FuzzInputs.Count(inputs);
        Arbitrary = [typeof(FuzzArbitraries)];
        Replay = PropertyConfig.Replay;
        QuietOnSuccess = true;
    }
}
