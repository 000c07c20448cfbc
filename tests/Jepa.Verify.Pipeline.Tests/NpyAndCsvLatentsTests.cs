using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline.Latents;
using Xunit;

namespace Jepa.Verify.Pipeline.Tests;

/// <summary>Tests for <see cref="NpyFile"/> and <see cref="LatentsFile"/>.</summary>
public sealed class NpyAndCsvLatentsTests
{
    private static readonly MdpModel Counting = MdpLoader.Load(Fixtures.Example("counting.json"));

    [Fact]
    public void Float32AndFloat64InEitherByteOrderAreRead()
    {
        var f4 = NpyFile.Read(Fixtures.Write("a.npy", Fixtures.Npy("<f4", Fixtures.Shape(2, 3), Fixtures.F4(1, 2, 3, 4, 5, 6.5f))));
        Assert.Equal((2, 3), (f4.Rows, f4.Columns));
        Assert.Equal([1f, 2, 3, 4, 5, 6.5f], f4.Values);
        var f8 = NpyFile.Read(Fixtures.Write("b.npy", Fixtures.Npy("<f8", Fixtures.Shape(3, 1), Fixtures.F8(0.1, -2, 1e-3))));
        Assert.Equal([0.1f, -2f, 1e-3f], f8.Values);
        var big = Fixtures.F4(1.5f).Reverse().ToArray();
        Assert.Equal([1.5f], NpyFile.Read(Fixtures.Write("c.npy", Fixtures.Npy(">f4", Fixtures.Shape(1, 1), big))).Values);
    }

    [Fact]
    public void TheFixtureWrittenByNumpyIsRead()
    {
        var (values, rows, columns) = NpyFile.Read(Fixtures.File("latents.npy"));
        Assert.Equal((9, 16), (rows, columns));
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData("<f4", "(2, 2)", true, "Fortran (column-major) order")]
    [InlineData("<i8", "(2, 2)", false, "the dtype is <i8; the array must be float32 or float64")]
    [InlineData("<f4", "(4,)", false, "it must be two-dimensional")]
    [InlineData("<f4", "(3, 2)", false, "the header says 3 × 2 values of 4 bytes but the file holds 16 bytes")]
    public void UnsupportedArraysAreRefusedInOneLine(string descr, string shape, bool fortran, string expected)
    {
        var path = Fixtures.Write("z.npy", Fixtures.Npy(descr, shape, Fixtures.F4(1, 2, 3, 4), fortran));
        var e = Assert.Throws<MdpFormatException>(() => NpyFile.Read(path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void NonFiniteValuesAndOtherFilesAreRefused()
    {
        var nan = Fixtures.Write("n.npy", Fixtures.Npy("<f8", Fixtures.Shape(1, 2), Fixtures.F8(1, double.NaN)));
        Assert.Contains("row 0, column 1 is NaN, which is not finite", Assert.Throws<MdpFormatException>(() => NpyFile.Read(nan)).Message, StringComparison.Ordinal);
        var huge = Fixtures.Write("h.npy", Fixtures.Npy("<f8", Fixtures.Shape(1, 1), Fixtures.F8(1e300)));
        Assert.Contains("beyond the float32 range", Assert.Throws<MdpFormatException>(() => NpyFile.Read(huge)).Message, StringComparison.Ordinal);
        var text = Fixtures.Write("t.npy", "id,z0\n"u8.ToArray());
        Assert.Contains("not a NumPy .npy file", Assert.Throws<MdpFormatException>(() => NpyFile.Read(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvLatentsAreMatchedByIdAndEqualTheNpyOnes()
    {
        var npy = LatentsFile.Read(Fixtures.File("latents.npy"), Counting);
        var lines = File.ReadAllLines(Fixtures.File("latents.csv"));
        var shuffled = Fixtures.Write("z.csv", System.Text.Encoding.UTF8.GetBytes(string.Join("\r\n", [lines[0], .. lines[1..].Reverse()]) + "\r\n"));
        var csv = LatentsFile.Read(shuffled, Counting);
        Assert.Equal((9, 16), (csv.Rows, csv.Dim));
        Assert.Equal(npy.Values, csv.Values);
    }

    [Theory]
    [InlineData("id,z0\ncount0,1\ncount0,2\n", "observation 'count0' appears twice (first at line 2)")]
    [InlineData("id,z0\nnope,1\n", "observation 'nope' is not in")]
    [InlineData("id,z0\ncount0,x\n", "z0 is 'x', not a finite float32 number")]
    [InlineData("id,z0\ncount0,1e39\n", "z0 is '1e39', not a finite float32 number")]
    [InlineData("id,z0\ncount0,1\n", "8 observation(s) of")]
    [InlineData("z0,z1\n1,2\n", "start the file with the header id,z0,z1")]
    public void BadCsvLatentsAreRefusedWithTheirPlace(string text, string expected)
    {
        var path = Fixtures.Write("z.csv", System.Text.Encoding.UTF8.GetBytes(text));
        var e = Assert.Throws<MdpFormatException>(() => LatentsFile.Read(path, Counting));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowCountAndExtensionAreChecked()
    {
        var grid = MdpLoader.Load(Fixtures.Example("gridworld.json"));
        Assert.Contains("9 rows of latents for the 12 observations", Assert.Throws<MdpFormatException>(() => LatentsFile.Read(Fixtures.File("latents.npy"), grid)).Message, StringComparison.Ordinal);
        Assert.Contains("latents must be a .npy or .csv file, not '.onnx'", Assert.Throws<MdpFormatException>(() => LatentsFile.Read(Fixtures.File("encoder.onnx"), Counting)).Message, StringComparison.Ordinal);
    }
}
