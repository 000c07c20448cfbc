using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>
/// A dictionary from observation indices <c>0…n−1</c> to values, stored in two arrays: what QuikGraph's
/// algorithms take for their per-vertex state (colours, component numbers) instead of a
/// <see cref="Dictionary{TKey, TValue}"/>, which at 10^6 vertices costs a hashed lookup per visited edge.
/// </summary>
/// <remarks>Written by hand because neither the BCL nor QuikGraph has an array-backed dictionary for dense integer keys.</remarks>
/// <typeparam name="TValue">The value type.</typeparam>
internal sealed class VertexMap<TValue> : IDictionary<int, TValue>
{
    private readonly TValue[] values;
    private readonly bool[] present;

    /// <summary>An empty map for keys <c>0…<paramref name="capacity"/>−1</c>.</summary>
    public VertexMap(int capacity)
    {
        values = new TValue[capacity];
        present = new bool[capacity];
    }

    /// <inheritdoc/>
    public int Count { get; private set; }

    /// <inheritdoc/>
    public bool IsReadOnly => false;

    /// <inheritdoc/>
    public ICollection<int> Keys => [.. Pairs().Select(p => p.Key)];

    /// <inheritdoc/>
    public ICollection<TValue> Values => [.. Pairs().Select(p => p.Value)];

    /// <inheritdoc/>
    public TValue this[int key]
    {
        get => ContainsKey(key) ? values[key] : throw new KeyNotFoundException($"vertex {key} has no value");
        set
        {
            CheckKey(key);
            if (!present[key])
            {
                present[key] = true;
                Count++;
            }

            values[key] = value;
        }
    }

    /// <inheritdoc/>
    public void Add(int key, TValue value)
    {
        if (ContainsKey(key))
        {
            throw new ArgumentException($"vertex {key} already has a value", nameof(key));
        }

        this[key] = value;
    }

    /// <inheritdoc/>
    public void Add(KeyValuePair<int, TValue> item) => Add(item.Key, item.Value);

    /// <inheritdoc/>
    public void Clear()
    {
        Array.Clear(values);
        Array.Clear(present);
        Count = 0;
    }

    /// <inheritdoc/>
    public bool Contains(KeyValuePair<int, TValue> item) => ContainsKey(item.Key) && EqualityComparer<TValue>.Default.Equals(values[item.Key], item.Value);

    /// <inheritdoc/>
    public bool ContainsKey(int key) => (uint)key < (uint)present.Length && present[key];

    /// <inheritdoc/>
    public void CopyTo(KeyValuePair<int, TValue>[] array, int arrayIndex)
    {
        foreach (var p in Pairs())
        {
            array[arrayIndex++] = p;
        }
    }

    /// <inheritdoc/>
    public bool Remove(int key)
    {
        if (!ContainsKey(key))
        {
            return false;
        }

        present[key] = false;
        values[key] = default!;
        Count--;
        return true;
    }

    /// <inheritdoc/>
    public bool Remove(KeyValuePair<int, TValue> item) => Contains(item) && Remove(item.Key);

    /// <inheritdoc/>
    public bool TryGetValue(int key, [MaybeNullWhen(false)] out TValue value)
    {
        var found = ContainsKey(key);
        value = found ? values[key] : default;
        return found;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<int, TValue>> GetEnumerator() => Pairs().GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<KeyValuePair<int, TValue>> Pairs()
    {
        for (var i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                yield return KeyValuePair.Create(i, values[i]);
            }
        }
    }

    private void CheckKey(int key)
    {
        if ((uint)key >= (uint)present.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, $"vertex keys are 0…{present.Length - 1}");
        }
    }
}
