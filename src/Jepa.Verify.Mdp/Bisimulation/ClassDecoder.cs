using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// A decision tree that tells the bisimulation class of a state from its aux values along a few
/// action sequences (a characterizing set). Each internal node holds a word <c>w</c> and branches on
/// the aux key reached after <c>w</c>; each leaf is one class. Bisimilar states agree on every word,
/// and states of different classes part at some node, so the tree is a certificate that the classes
/// are pairwise distinguishable: the SMT proof of <c>collapse_possible</c> checks it instead of searching
/// all pairs.
/// </summary>
/// <remarks>
/// Built as a splitting tree over the quotient: the root splits the classes by aux key (the empty
/// word); a leaf holding several classes is split by <c>a·w_v</c> when action <c>a</c> sends its classes into
/// different subtrees of a node <c>v</c> (the lowest common ancestor of the leaves they reach). At most
/// C − 1 splits for C classes, each word at most C long.
/// </remarks>
public sealed class ClassDecoder
{
    private ClassDecoder(Node root, int classes)
    {
        Root = root;
        Classes = classes;
    }

    /// <summary>The root node.</summary>
    public Node Root { get; }

    /// <summary>Number of classes (leaves).</summary>
    public int Classes { get; }

    /// <summary>A node: a leaf (one class) or a word with one child per aux key reached after it.</summary>
    /// <param name="Class">For a leaf, the class; otherwise -1.</param>
    /// <param name="Word">For an internal node, the actions to follow; empty at the root.</param>
    /// <param name="Children">For an internal node, (aux key reached, subtree), in increasing key order.</param>
    public sealed record Node(int Class, ImmutableArray<int> Word, ImmutableArray<(int Key, Node Child)> Children)
    {
        /// <summary>True for a leaf.</summary>
        public bool IsLeaf => Class >= 0;
    }

    /// <summary>The class the tree assigns to a state: follow each node's word and branch on the key reached.</summary>
    /// <exception cref="InvalidOperationException">When the state reaches a key the tree has no branch for.</exception>
    public int Decode(TransitionTable table, ReadOnlySpan<int> keys, int state)
    {
        var node = Root;
        while (!node.IsLeaf)
        {
            var s = state;
            foreach (var a in node.Word)
            {
                s = table.Successor(s, a);
            }

            var key = keys[s];
            var next = node.Children.FirstOrDefault(c => c.Key == key).Child;
            node = next ?? throw new InvalidOperationException($"state {state} reaches aux key {key}, which node has no branch for");
        }

        return node.Class;
    }

    /// <summary>All nodes, parents before children.</summary>
    public IEnumerable<Node> Nodes()
    {
        var stack = new Stack<Node>([Root]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            yield return n;
            foreach (var (_, child) in n.Children.Reverse())
            {
                stack.Push(child);
            }
        }
    }

    /// <summary>Builds the decoder of a complete table's partition.</summary>
    /// <param name="table">A complete deterministic table.</param>
    /// <param name="keys">Aux keys.</param>
    /// <param name="partition">Its bisimulation classes (coarsest stable partition of the keys).</param>
    /// <exception cref="ArgumentException">When the table is partial, or the partition is not the bisimulation (two classes cannot be told apart, or a class is not stable).</exception>
    public static ClassDecoder Build(TransitionTable table, ReadOnlySpan<int> keys, Partition partition)
    {
        if (!table.IsComplete)
        {
            throw new ArgumentException("the decoder needs a complete table", nameof(table));
        }

        var c = partition.Count;
        var k = table.Actions;
        var qsucc = new int[c * k];
        var qkey = new int[c];
        for (var cls = 0; cls < c; cls++)
        {
            var rep = partition.Members(cls)[0];
            qkey[cls] = keys[rep];
            for (var a = 0; a < k; a++)
            {
                qsucc[cls * k + a] = partition.ClassOf[table.Successor(rep, a)];
            }
        }

        var tree = new Builder(c, k, qsucc, qkey);
        return new ClassDecoder(tree.Run(), c);
    }

    /// <summary>The mutable splitting tree behind <see cref="Build"/>.</summary>
    private sealed class Builder(int classes, int actions, int[] qsucc, int[] qkey)
    {
        private readonly List<int> parent = [];
        private readonly List<int> depth = [];
        private readonly List<int[]> word = [];
        private readonly List<List<int>> members = [];
        private readonly List<List<(int Key, int Child)>> children = [];
        private readonly int[] leafOf = new int[classes];

        public Node Run()
        {
            var root = NewNode(-1, []);
            members[root].AddRange(Enumerable.Range(0, classes));
            if (classes == 1)
            {
                return Freeze(root);
            }

            Split(root, []);
            bool progress;
            do
            {
                progress = false;
                for (var leaf = 0; leaf < members.Count; leaf++)
                {
                    if (children[leaf].Count > 0 || members[leaf].Count < 2)
                    {
                        continue;
                    }

                    for (var a = 0; a < actions && children[leaf].Count == 0; a++)
                    {
                        var reached = members[leaf].Select(q => leafOf[qsucc[q * actions + a]]).Distinct().ToList();
                        if (reached.Count > 1)
                        {
                            var lca = reached.Aggregate(Lca);
                            Split(leaf, [a, .. word[lca]]);
                            progress = true;
                        }
                    }
                }
            }
            while (progress);

            if (members.Where((m, i) => children[i].Count == 0 && m.Count > 1).Any())
            {
                throw new ArgumentException("two classes cannot be told apart: the partition is not the coarsest bisimulation");
            }

            return Freeze(root);
        }

        private int NewNode(int parentNode, int[] w)
        {
            parent.Add(parentNode);
            depth.Add(parentNode < 0 ? 0 : depth[parentNode] + 1);
            word.Add(w);
            members.Add([]);
            children.Add([]);
            return members.Count - 1;
        }

        private void Split(int node, int[] w)
        {
            word[node] = w;
            foreach (var group in members[node].GroupBy(q => Output(q, w)).OrderBy(g => g.Key))
            {
                var child = NewNode(node, []);
                members[child].AddRange(group);
                children[node].Add((group.Key, child));
                foreach (var q in group)
                {
                    leafOf[q] = child;
                }
            }

            if (children[node].Count < 2)
            {
                throw new ArgumentException("a split did not separate anything: the partition is not stable");
            }
        }

        private int Output(int q, int[] w)
        {
            foreach (var a in w)
            {
                q = qsucc[q * actions + a];
            }

            return qkey[q];
        }

        private int Lca(int x, int y)
        {
            while (depth[x] > depth[y])
            {
                x = parent[x];
            }

            while (depth[y] > depth[x])
            {
                y = parent[y];
            }

            while (x != y)
            {
                x = parent[x];
                y = parent[y];
            }

            return x;
        }

        private Node Freeze(int node) =>
            children[node].Count == 0
                ? new Node(members[node][0], [], [])
                : new Node(-1, [.. word[node]], [.. children[node].Select(ch => (ch.Key, Freeze(ch.Child)))]);
    }
}
