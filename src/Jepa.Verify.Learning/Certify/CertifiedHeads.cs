using Jepa.Verify.Learning.Autograd;

namespace Jepa.Verify.Learning.Certify;

/// <summary>The two heads the certificate bounds, and the space the aux head predicts in.</summary>
/// <param name="Transition">T̂ over <c>concat(z, onehot(a))</c>.</param>
/// <param name="AuxHead">P̂ over z.</param>
/// <param name="AuxTarget">
/// What P̂ predicts of an aux value p, when not p itself: a two-hot head predicts the expected bin,
/// <c>clamp(symlog(p), min bin, max bin)</c>. The certificate's aux gaps and residuals are then measured in that space;
/// any fixed function of p keeps every bound sound (it only changes which pairs the aux alone tells apart). Null: p.
/// </param>
/// <param name="AuxTargetName">How reports name that space (e.g. <c>symlog</c>), or null.</param>
public sealed record CertifiedHeads(IHead Transition, IHead AuxHead, Func<double, double>? AuxTarget = null, string? AuxTargetName = null)
{
    /// <summary>
    /// The heads of a model whose aux head outputs logits over two-hot <paramref name="bins"/>: the logits followed by their
    /// softmax expectation, the expected bin, which predicts <see cref="TwoHotBins.Target"/> (clamp(symlog(p))). A chain
    /// stays one chain (its averaged bound then spans the new layer too); a graph gets the expectation as a last node.
    /// </summary>
    public static CertifiedHeads TwoHot(IHead transition, IHead logits, TwoHotBins bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        var expectation = HeadLayer.SoftmaxExpectation(bins.Values());
        IHead aux = logits switch
        {
            HeadChain chain => new HeadChain([.. chain.Layers, expectation]),
            HeadGraph graph => new HeadGraph(graph.Inputs, [.. graph.Nodes, new HeadGraph.Apply(graph.Nodes.Length - 1, new HeadChain([expectation]))]),
            _ => throw new ArgumentException($"a two-hot head is read as a {nameof(HeadChain)} or a {nameof(HeadGraph)}", nameof(logits)),
        };
        return new CertifiedHeads(transition, aux, bins.Target, "symlog");
    }

    /// <summary>The aux targets in the space P̂ predicts in (<paramref name="aux"/> unchanged without <see cref="AuxTarget"/>).</summary>
    public IReadOnlyList<float> Targets(IReadOnlyList<float> aux)
    {
        ArgumentNullException.ThrowIfNull(aux);
        return AuxTarget is { } f ? [.. aux.Select(v => (float)f(v))] : aux;
    }
}
