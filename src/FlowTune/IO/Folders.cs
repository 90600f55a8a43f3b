namespace FlowTune.IO;

/// <summary>Folder operations shared by commands and caches.</summary>
public static class Folders
{
    /// <summary>Copies the files directly in <paramref name="from"/> into <paramref name="to"/> (created if needed), overwriting.</summary>
    public static void CopyFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }
}
