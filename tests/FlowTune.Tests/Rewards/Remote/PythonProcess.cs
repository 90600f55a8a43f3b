using System.Diagnostics;
using System.Text;

namespace FlowTune.Tests.Rewards.Remote;

/// <summary>Runs <c>python3 -c SCRIPT ARGS...</c> with bytes on stdin and returns its stdout bytes.</summary>
internal static class PythonProcess
{
    /// <summary>Runs the script; throws with stderr when it exits non-zero or takes over 60 s.</summary>
    public static byte[] Run(string script, byte[]? stdin = null, params string[] arguments)
    {
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = new MemoryStream();
        var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        var write = Task.Run(() =>
        {
            using Stream input = process.StandardInput.BaseStream;
            if (stdin is not null)
            {
                input.Write(stdin);
            }
        });
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 ran over 60 s");
        }

        Task.WaitAll(readOut, readErr, write);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 exited with {process.ExitCode}: {readErr.Result}");
        }

        return stdout.ToArray();
    }

    /// <summary>Runs the script and returns stdout as UTF-8 lines.</summary>
    public static string[] RunLines(string script, byte[]? stdin = null, params string[] arguments) =>
        Encoding.UTF8.GetString(Run(script, stdin, arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
