namespace Jepa.Verify.Mdp.Formats;

/// <summary>Loads an MDP from any supported file, in the format named or inferred from the extension.</summary>
public static class MdpLoader
{
    /// <summary>The format names accepted by <see cref="Load"/>.</summary>
    public static readonly IReadOnlyList<string> Formats = ["json", "csv", "aut"];

    /// <summary>Loads an MDP.</summary>
    /// <param name="path">A <c>.json</c> MDP, a <c>.csv</c> transition dataset, or an <c>.aut</c> file.</param>
    /// <param name="format"><c>json</c>, <c>csv</c> or <c>aut</c>; null to infer from the extension.</param>
    /// <param name="auxFile">
    /// A side file of aux values: required for CSV datasets, optional for the others (it replaces
    /// the file's own aux values).
    /// </param>
    /// <exception cref="MdpFormatException">On any problem with the files.</exception>
    public static MdpModel Load(string path, string? format = null, string? auxFile = null)
    {
        TextFile.RequireFile(path);
        format ??= Infer(path);
        var aux = auxFile is null ? null : AuxFile.Read(auxFile);
        switch (format)
        {
            case "json":
            {
                var mdp = MdpJsonReader.Read(path);
                return aux?.ApplyTo(mdp) ?? mdp;
            }

            case "aut":
            {
                var mdp = AutReader.Read(path);
                return aux?.ApplyTo(mdp) ?? mdp;
            }

            case "csv":
                if (aux is null)
                {
                    throw new MdpFormatException(new SourceLocation(path, 0), "a CSV transition dataset needs an aux file (header id,aux)", "give one: --aux-file FILE on the command line, \"aux\": {\"file\": \"aux.csv\"} in a check config");
                }

                return CsvDatasetReader.Read(path, aux);
            default:
                throw new MdpFormatException(new SourceLocation(path, 0), $"unknown format '{format}'", $"use one of {string.Join(", ", Formats)}");
        }
    }

    private static string Infer(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => "json",
        ".csv" => "csv",
        ".aut" => "aut",
        var ext => throw new MdpFormatException(new SourceLocation(path, 0), $"cannot tell the format from the extension '{ext}'", "rename the file to .json, .csv or .aut, or pass --format json|csv|aut"),
    };
}
