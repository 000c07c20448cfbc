using System.Globalization;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>A model file that cannot be read or written; the message is one line: <c>path: byte N: problem; fix</c>.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="offset">The byte offset where the problem was found.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="fix">What to do.</param>
    public ModelFormatException(string path, long offset, string problem, string fix)
        : base(Mdp.OneLine.Escape(string.Create(CultureInfo.InvariantCulture, $"{path}: byte {offset}: {problem}; {fix}")))
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>Where the problem was found.</summary>
    public long Offset { get; }
}
