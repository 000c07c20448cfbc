using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="AtomicFile"/>.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void WritesAndOverwritesLeavingNoTemporaryFile()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("seed", ""))!;
        var path = Path.Combine(dir, "sub", "out.json");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "sub")));
    }

    [Fact]
    public void AnUnwritableTargetIsAOneLineErrorAndTheOldFileSurvives()
    {
        var dir = Path.GetDirectoryName(TestFiles.Write("seed", ""))!;
        var target = Path.Combine(dir, "taken");
        Directory.CreateDirectory(target);
        var ex = Assert.Throws<MdpFormatException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.StartsWith(target + ": cannot write the file", ex.Message);
        Assert.True(Directory.Exists(target));
        Assert.Equal(2, Directory.GetFileSystemEntries(dir).Length);
    }
}
