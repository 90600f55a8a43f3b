using System.Net;
using System.Net.Sockets;

namespace FlowTune.Tests.Distributed;

/// <summary>Runs the ranks of a test job as threads of this process.</summary>
internal static class Ranks
{
    /// <summary>Runs <paramref name="body"/>(rank) on its own thread for ranks 0..size-1; rethrows the first failure.</summary>
    public static T[] Run<T>(int size, Func<int, T> body)
    {
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = body(rank);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromMinutes(3)), "a rank did not finish in 3 minutes"));
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            throw new AggregateException(errors.OfType<Exception>());
        }
        return results;
    }

    /// <summary>A loopback TCP port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
