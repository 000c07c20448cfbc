using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// Splitting a row of floats into its stride-2 column phases and adding them back, eight of each at a time (two loads and
/// two shuffles per sixteen floats), for the stride-2 convolutions and pooling of an image encoder.
/// </summary>
internal static class Strided
{
    /// <summary><c>even[i] = row[2i]</c> for i &lt; ⌈n/2⌉ and <c>odd[i] = row[2i + 1]</c> for i &lt; ⌊n/2⌋, n the row's length.</summary>
    /// <exception cref="ArgumentException">When <paramref name="even"/> or <paramref name="odd"/> is too short.</exception>
    public static void Split2(ReadOnlySpan<float> row, Span<float> even, Span<float> odd)
    {
        var n = row.Length;
        if (even.Length < (n + 1) / 2 || odd.Length < n / 2)
        {
            throw new ArgumentException($"Split2: {even.Length} and {odd.Length} places for the phases of {n} floats");
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var e = ref MemoryMarshal.GetReference(even);
            ref var o = ref MemoryMarshal.GetReference(odd);
            var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            for (; (2 * i) + 16 <= n; i += 8)
            {
                var a = Vector256.Shuffle(Vector256.LoadUnsafe(ref r, (nuint)(2 * i)), order);
                var b = Vector256.Shuffle(Vector256.LoadUnsafe(ref r, (nuint)((2 * i) + 8)), order);
                Vector256.Create(a.GetLower(), b.GetLower()).StoreUnsafe(ref e, (nuint)i);
                Vector256.Create(a.GetUpper(), b.GetUpper()).StoreUnsafe(ref o, (nuint)i);
            }
        }

        for (; 2 * i < n; i++)
        {
            even[i] = row[2 * i];
            if ((2 * i) + 1 < n)
            {
                odd[i] = row[(2 * i) + 1];
            }
        }
    }

    /// <summary><c>row[2i] += even[i]</c> and <c>row[2i + 1] += odd[i]</c> over the row (the adjoint of <see cref="Split2"/>).</summary>
    /// <exception cref="ArgumentException">When <paramref name="even"/> or <paramref name="odd"/> is too short.</exception>
    public static void Merge2Add(ReadOnlySpan<float> even, ReadOnlySpan<float> odd, Span<float> row)
    {
        var n = row.Length;
        if (even.Length < (n + 1) / 2 || odd.Length < n / 2)
        {
            throw new ArgumentException($"Merge2Add: {even.Length} and {odd.Length} phase values for {n} floats");
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var e = ref MemoryMarshal.GetReference(even);
            ref var o = ref MemoryMarshal.GetReference(odd);
            var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            for (; (2 * i) + 16 <= n; i += 8)
            {
                var (a, b) = (Vector256.LoadUnsafe(ref e, (nuint)i), Vector256.LoadUnsafe(ref o, (nuint)i));
                var low = Vector256.Shuffle(Vector256.Create(a.GetLower(), b.GetLower()), order);
                var high = Vector256.Shuffle(Vector256.Create(a.GetUpper(), b.GetUpper()), order);
                (Vector256.LoadUnsafe(ref r, (nuint)(2 * i)) + low).StoreUnsafe(ref r, (nuint)(2 * i));
                (Vector256.LoadUnsafe(ref r, (nuint)((2 * i) + 8)) + high).StoreUnsafe(ref r, (nuint)((2 * i) + 8));
            }
        }

        for (; 2 * i < n; i++)
        {
            row[2 * i] += even[i];
            if ((2 * i) + 1 < n)
            {
                row[(2 * i) + 1] += odd[i];
            }
        }
    }
}
