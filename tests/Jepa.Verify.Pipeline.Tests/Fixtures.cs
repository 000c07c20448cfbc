using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Jepa.Verify.Pipeline.Tests;

/// <summary>The committed fixtures (a JEPA trained and exported by PyTorch, see Fixtures/make_fixtures.py) and throw-away files.</summary>
internal static class Fixtures
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A fixture file.</summary>
    public static string File(string name) => Path.Combine(Root, "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures", name);

    /// <summary>An example MDP.</summary>
    public static string Example(string name) => Path.Combine(Root, "examples", name);

    /// <summary>Writes bytes to a fresh temporary file and returns its path.</summary>
    public static string Write(string name, byte[] content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "jepa-verify-pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>An <c>.npy</c> file as <c>numpy.save</c> writes it (version 1.0, header padded to 64 bytes), with the given dtype and shape.</summary>
    public static byte[] Npy(string descr, string shape, byte[] data, bool fortran = false)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        var total = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - (total % 64)) % 64) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0]);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    /// <summary>Little-endian float32 bytes.</summary>
    public static byte[] F4(params float[] values) => [.. values.SelectMany(v => BitConverter.GetBytes(v))];

    /// <summary>Little-endian float64 bytes.</summary>
    public static byte[] F8(params double[] values) => [.. values.SelectMany(v => BitConverter.GetBytes(v))];

    /// <summary>A shape tuple as Python prints it.</summary>
    public static string Shape(params int[] dims) => "(" + string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + (dims.Length == 1 ? ",)" : ")");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Jepa.Verify.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Jepa.Verify.sln not found above the test binaries");
    }
}
