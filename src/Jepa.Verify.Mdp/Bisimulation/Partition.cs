using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// A partition of <c>0 … Size−1</c> into classes numbered canonically: class 0 holds element 0,
/// and classes are numbered in order of their smallest element. Two partitions are equal exactly
/// when their <see cref="ClassOf"/> arrays are.
/// </summary>
public sealed class Partition : IDistinguishedPairs
{
    private readonly int[] classOf;
    private readonly int[] start;
    private readonly int[] members;

    private Partition(int[] classOf, int count, int[]? fillScratch = null)
    {
        this.classOf = classOf;
        Count = count;
        start = new int[count + 1];
        foreach (var c in classOf)
        {
            start[c + 1]++;
        }

        for (var c = 0; c < count; c++)
        {
            start[c + 1] += start[c];
        }

        members = new int[classOf.Length];
        var fill = fillScratch ?? new int[count];
        Array.Copy(start, fill, count);
        for (var i = 0; i < classOf.Length; i++)
        {
            members[fill[classOf[i]]++] = i;
        }
    }

    /// <summary>Number of classes.</summary>
    public int Count { get; }

    /// <summary>Number of elements.</summary>
    public int Size => classOf.Length;

    /// <summary>The class of each element.</summary>
    public ImmutableArray<int> ClassOf => ImmutableCollectionsMarshal.AsImmutableArray(classOf);

    /// <summary>Unordered pairs of distinct elements in the same class: Σ over classes of size·(size−1)/2.</summary>
    public long PairsTogether
    {
        get
        {
            long sum = 0;
            for (var c = 0; c < Count; c++)
            {
                long size = start[c + 1] - start[c];
                sum += size * (size - 1) / 2;
            }

            return sum;
        }
    }

    /// <summary>Unordered pairs of elements in different classes.</summary>
    public long PairsApart => ((long)Size * (Size - 1) / 2) - PairsTogether;

    /// <summary>The members of class <paramref name="c"/>, in increasing order.</summary>
    public ReadOnlySpan<int> Members(int c) => members.AsSpan(start[c], start[c + 1] - start[c]);

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> share a class.</summary>
    public bool SameClass(int a, int b) => classOf[a] == classOf[b];

    /// <inheritdoc/>
    long IDistinguishedPairs.DistinguishedCount => PairsApart;

    /// <inheritdoc/>
    ImmutableArray<int>? IDistinguishedPairs.Classes => ClassOf;

    /// <inheritdoc/>
    bool IDistinguishedPairs.AreDistinguished(int a, int b) => !SameClass(a, b);

    /// <summary>Builds a partition from any class labelling, renumbering it canonically.</summary>
    /// <param name="labels">A label per element; equal labels mean the same class. Not modified.</param>
    public static Partition FromLabels(ReadOnlySpan<int> labels)
    {
        var map = new Dictionary<int, int>();
        var classOf = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (!map.TryGetValue(labels[i], out var c))
            {
                c = map.Count;
                map[labels[i]] = c;
            }

            classOf[i] = c;
        }

        return new Partition(classOf, map.Count);
    }

    /// <summary>
    /// Builds a partition from labels already in <c>0 … labelCount−1</c>, renumbering canonically
    /// without hashing (the fast path for large inputs).
    /// </summary>
    internal static Partition FromDenseLabels(ReadOnlySpan<int> labels, int labelCount) =>
        TakeOver(labels.ToArray(), labelCount, new int[labelCount], new int[labelCount]);

    /// <summary>
    /// Renumbers <paramref name="labels"/> (in <c>0 … labelCount−1</c>) canonically in place and
    /// keeps the array, using two scratch arrays of at least <paramref name="labelCount"/> ints.
    /// For large inputs whose caller no longer needs these arrays.
    /// </summary>
    internal static Partition TakeOver(int[] labels, int labelCount, int[] mapScratch, int[] fillScratch)
    {
        var map = mapScratch.AsSpan(0, labelCount);
        map.Fill(-1);
        var count = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            ref var c = ref map[labels[i]];
            if (c < 0)
            {
                c = count++;
            }

            labels[i] = c;
        }

        return new Partition(labels, count, fillScratch);
    }

    /// <summary>The restriction to the first <paramref name="size"/> elements (e.g. dropping a sink).</summary>
    public Partition Prefix(int size) => size == Size ? this : FromDenseLabels(classOf.AsSpan(0, size), Count);
}
