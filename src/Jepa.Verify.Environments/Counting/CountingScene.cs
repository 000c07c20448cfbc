namespace Jepa.Verify.Environments.Counting;

/// <summary>What one counting image shows: <see cref="CountingRenderer"/> draws it as a pure function of these four values.</summary>
/// <param name="Count">The number of objects, 0 to 8.</param>
/// <param name="Shape">The shape of every object.</param>
/// <param name="Colour">The colour of every object.</param>
/// <param name="LayoutSeed">Determines the object positions (with the count and the image size).</param>
public readonly record struct CountingScene(int Count, ObjectShape Shape, Rgb Colour, ulong LayoutSeed);
