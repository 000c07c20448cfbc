using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Jepa.Verify.Smt.Z3;

/// <summary>
/// The few functions of Z3's C API (Debian's <c>libz3.so.4</c>, <c>z3_api.h</c>) this project uses:
/// a context, an error handler that returns instead of aborting, SMT-LIB evaluation, interruption.
/// </summary>
internal static unsafe partial class Z3Native
{
    public const string Library = "libz3.so.4";

    /// <summary>Z3_OK in <c>Z3_error_code</c>.</summary>
    public const int Ok = 0;

    [LibraryImport(Library)]
    public static partial IntPtr Z3_mk_config();

    [LibraryImport(Library)]
    public static partial void Z3_del_config(IntPtr config);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void Z3_set_param_value(IntPtr config, string id, string value);

    [LibraryImport(Library)]
    public static partial IntPtr Z3_mk_context(IntPtr config);

    [LibraryImport(Library)]
    public static partial void Z3_del_context(IntPtr context);

    [LibraryImport(Library)]
    public static partial void Z3_set_error_handler(IntPtr context, delegate* unmanaged[Cdecl]<IntPtr, int, void> handler);

    [LibraryImport(Library)]
    public static partial int Z3_get_error_code(IntPtr context);

    [LibraryImport(Library)]
    public static partial IntPtr Z3_get_error_msg(IntPtr context, int code);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr Z3_eval_smtlib2_string(IntPtr context, string text);

    [LibraryImport(Library)]
    public static partial void Z3_interrupt(IntPtr context);

    [LibraryImport(Library)]
    public static partial IntPtr Z3_get_full_version();

    /// <summary>The error handler: Z3 calls it and then returns from the failing API call; the caller checks the error code.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static void IgnoreError(IntPtr context, int code)
    {
    }
}
