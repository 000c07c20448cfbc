namespace Jepa.Verify.Learning.Collapse;

/// <summary>Disjoint sets over <c>0..n−1</c> (path halving, the smaller root wins): the single-linkage clusters of <see cref="CollapseAnalysis"/>.</summary>
internal sealed class UnionFind
{
    private readonly int[] parent;

    public UnionFind(int n) => parent = [.. Enumerable.Range(0, n)];

    public void Union(int a, int b)
    {
        var ra = Find(a);
        var rb = Find(b);
        if (ra != rb)
        {
            parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
    }

    /// <summary>Adds every union of <paramref name="other"/> (over the same elements) to this one.</summary>
    public void Merge(UnionFind other)
    {
        for (var i = 0; i < parent.Length; i++)
        {
            var root = other.Find(i);
            if (root != i)
            {
                Union(i, root);
            }
        }
    }

    /// <summary>Dense cluster numbers in order of each cluster's first member.</summary>
    public int[] Labels()
    {
        var labels = new int[parent.Length];
        var number = new Dictionary<int, int>();
        for (var i = 0; i < parent.Length; i++)
        {
            var root = Find(i);
            if (!number.TryGetValue(root, out var c))
            {
                c = number.Count;
                number[root] = c;
            }

            labels[i] = c;
        }

        return labels;
    }

    private int Find(int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }
}
