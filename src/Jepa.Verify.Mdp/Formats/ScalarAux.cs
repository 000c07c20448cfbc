namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Shares one <see cref="AuxValue"/> per distinct scalar while a file is read: aux values repeat (rewards,
/// labels), and a million observations would otherwise hold a million one-element arrays.
/// </summary>
internal sealed class ScalarAux
{
    private const int MaxDistinct = 4096;
    private readonly Dictionary<double, AuxValue> values = [];

    /// <summary>The value for <paramref name="v"/>, shared with earlier calls for the same number (NaN included).</summary>
    public AuxValue Get(double v)
    {
        if (values.TryGetValue(v, out var value))
        {
            return value;
        }

        value = AuxValue.Scalar(v);
        if (values.Count < MaxDistinct)
        {
            values[v] = value;
        }

        return value;
    }
}
