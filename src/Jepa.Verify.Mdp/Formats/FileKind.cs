using System.Runtime.InteropServices;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Whether a path names a regular file, a directory or something else (a character device such as <c>/dev/null</c>,
/// a FIFO, a socket), through symbolic links: <c>stat(2)</c>'s file type, which .NET does not expose
/// (<see cref="FileSystemInfo.Attributes"/> says <c>Normal</c> for a FIFO and a device alike).
/// </summary>
/// <remarks>
/// Written by hand because no library here gives the file type. The mode's offset in <c>struct stat</c> is the
/// Linux ABI's: 24 on x86-64, 16 on AArch64; on other systems every existing non-directory counts as regular
/// (<see cref="AtomicFile.IsSpecial"/> still treats paths under <c>/dev/</c> as devices).
/// </remarks>
internal static partial class FileKind
{
    private const uint TypeMask = 0xF000;
    private const uint Regular = 0x8000;
    private const uint Directory = 0x4000;

    /// <summary>True when <paramref name="path"/> exists and is neither a regular file nor a directory (after links).</summary>
    public static bool IsSpecial(string path)
    {
        var offset = !OperatingSystem.IsLinux() ? -1
            : RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => 24,
                Architecture.Arm64 => 16,
                _ => -1,
            };
        if (offset < 0)
        {
            return false;
        }

        var buffer = new byte[256];
        if (Stat(path, buffer) != 0)
        {
            return false;
        }

        var type = BitConverter.ToUInt32(buffer, offset) & TypeMask;
        return type is not Regular and not Directory;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, [Out] byte[] buffer);
}
