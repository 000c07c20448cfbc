namespace Jepa.Verify.Learning.Collapse;

/// <summary>How well a property can be read off frozen latents on held-out observations.</summary>
/// <param name="Accuracy">Fraction of the test observations classified correctly.</param>
/// <param name="Chance">The accuracy of always answering the training split's most frequent class.</param>
/// <param name="Classes">Distinct classes in the training split.</param>
/// <param name="TrainCount">Training observations used.</param>
/// <param name="TestCount">Test observations scored.</param>
public sealed record ProbeResult(double Accuracy, double Chance, int Classes, int TrainCount, int TestCount);
