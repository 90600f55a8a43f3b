using System.Diagnostics;
using System.Text;

namespace FlowTune.Tests.Rewards.Remote;

/// <summary>
/// The reference reward server (<c>tools/reward_server/reward_server.py</c>) as a real <c>python3</c> process on
/// loopback with a free port: <see cref="Start"/> waits for its <c>listening on http://HOST:PORT</c> line;
/// <see cref="Dispose"/> kills it. Extra command-line flags (fault injection) pass straight through.
/// </summary>
internal sealed class RewardServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private RewardServerProcess(Process process, StringBuilder stderr, Uri baseAddress)
    {
        _process = process;
        _stderr = stderr;
        BaseAddress = baseAddress;
    }

    /// <summary>The script's path in the repository.</summary>
    public static string ScriptPath => RepoPaths.File("tools/reward_server/reward_server.py");

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The port the server picked.</summary>
    public int Port => BaseAddress.Port;

    /// <summary>What the server wrote to stderr so far (for failure messages).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>An absolute URI on the server, e.g. <c>Url("/score")</c>.</summary>
    public Uri Url(string path) => new(BaseAddress, path);

    /// <summary>Starts the server with extra flags and waits (up to 30 s) until it listens.</summary>
    public static RewardServerProcess Start(params string[] arguments) => Start(arguments, TimeSpan.FromSeconds(30));

    /// <summary>Starts the server with extra flags and waits until it listens.</summary>
    public static RewardServerProcess Start(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(ScriptPath);
        info.ArgumentList.Add("--host");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add("0");
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        var readLine = process.StandardOutput.ReadLineAsync();
        if (!readLine.Wait(timeout) || readLine.Result is not { } line || !line.StartsWith("listening on ", StringComparison.Ordinal))
        {
            string got = readLine.IsCompletedSuccessfully ? readLine.Result ?? "end of output" : "nothing";
            Kill(process);
            string err;
            lock (stderr)
            {
                err = stderr.ToString();
            }

            throw new InvalidOperationException($"reward server did not report 'listening on' within {timeout} (got {got}); stderr: {err}");
        }

        return new RewardServerProcess(process, stderr, new Uri(line["listening on ".Length..].Trim() + "/"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill(_process);
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
