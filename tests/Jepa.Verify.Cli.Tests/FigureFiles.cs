using System.Xml.Linq;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Checks on the figures the commands write: real PNG and SVG files, not empty ones.</summary>
internal static class FigureFiles
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Each named file exists in <paramref name="dir"/>: a PNG starts with the PNG signature and is 800 × 600; an SVG parses with an &lt;svg&gt; root holding text.</summary>
    public static void AssertValid(string dir, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(dir, name);
            Assert.True(File.Exists(path), $"{path} was not written");
            if (name.EndsWith(".png", StringComparison.Ordinal))
            {
                var bytes = File.ReadAllBytes(path);
                Assert.Equal(PngSignature, bytes[..8]);

                // IHDR: width and height, big-endian, at bytes 16–23.
                Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
                Assert.Equal(600, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            }
            else
            {
                var root = XDocument.Load(path).Root!;
                Assert.Equal("svg", root.Name.LocalName);
                Assert.Contains(root.Descendants(), e => e.Name.LocalName is "text" or "path");
            }
        }
    }
}
