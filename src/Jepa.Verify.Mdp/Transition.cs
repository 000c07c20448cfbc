using QuikGraph;

namespace Jepa.Verify.Mdp;

/// <summary>
/// One observed transition <c>T(From, Action) = To</c>, by interned index; as a QuikGraph edge
/// (<see cref="IEdge{TVertex}"/>) it runs from <see cref="From"/> to <see cref="To"/>, tagged by its action,
/// so <see cref="MdpModel.Transitions"/> is the edge list of <see cref="MdpModel.Graph"/> without a copy.
/// </summary>
/// <param name="From">Index of the source observation.</param>
/// <param name="Action">Index of the action.</param>
/// <param name="To">Index of the target observation.</param>
public readonly record struct Transition(int From, int Action, int To) : IEdge<int>
{
    /// <inheritdoc/>
    int IEdge<int>.Source => From;

    /// <inheritdoc/>
    int IEdge<int>.Target => To;
}
