using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Runs pieces of work one after another, in the order they were posted, on a second thread while
/// the posting thread goes on (or inline, when <c>threaded</c> is false). A reader uses it to split a
/// large file's work in two: its own thread tokenises, the worker interns and resolves ids.
/// </summary>
/// <remarks>
/// <para>
/// The work is the same either way and runs in the same order, so the result does not depend on the
/// thread count. The first exception a piece throws is kept; later pieces are skipped, and
/// <see cref="Post"/> (at the next call) and <see cref="Drain"/> rethrow it with its stack trace.
/// Pieces are queued at most <see cref="Depth"/> deep, which bounds the memory held by pending work.
/// </para>
/// <para>
/// Written here because the BCL's choices (<see cref="System.Threading.Channels"/>, TPL Dataflow) are
/// asynchronous or a separate package; the readers are synchronous, and this is a bounded blocking
/// queue and one thread.
/// </para>
/// </remarks>
internal sealed class OrderedWorker : IDisposable
{
    /// <summary>How many pieces may wait at once.</summary>
    public const int Depth = 4;

    private readonly BlockingCollection<Action>? queue;
    private readonly Thread? thread;
    private readonly object gate = new();
    private int outstanding;
    private volatile ExceptionDispatchInfo? failure;

    /// <param name="threaded">True to run the work on a second thread; false to run each piece inside <see cref="Post"/>.</param>
    public OrderedWorker(bool threaded)
    {
        if (!threaded)
        {
            return;
        }

        queue = new BlockingCollection<Action>(Depth);
        thread = new Thread(Loop) { IsBackground = true, Name = "jepa-verify reader" };
        thread.Start();
    }

    /// <summary>
    /// Whether a reader should split its work for an input of <paramref name="bytes"/> bytes: only
    /// when a second core is there and the input is large enough for the thread to pay off.
    /// </summary>
    public static bool Worthwhile(long bytes) => Environment.ProcessorCount > 1 && bytes >= 1 << 20;

    /// <summary>Queues <paramref name="work"/> after everything posted before (or runs it now when not threaded).</summary>
    /// <exception cref="Exception">The first exception an earlier piece threw, rethrown.</exception>
    public void Post(Action work)
    {
        failure?.Throw();
        if (queue is null)
        {
            work();
            return;
        }

        lock (gate)
        {
            outstanding++;
        }

        queue.Add(work);
    }

    /// <summary>Waits until every piece posted so far has run.</summary>
    /// <exception cref="Exception">The first exception a piece threw, rethrown.</exception>
    public void Drain()
    {
        if (queue is not null)
        {
            lock (gate)
            {
                while (outstanding > 0)
                {
                    Monitor.Wait(gate);
                }
            }
        }

        failure?.Throw();
    }

    /// <summary>Stops the thread once the queue is empty; pieces not yet run are run first.</summary>
    public void Dispose()
    {
        if (queue is null)
        {
            return;
        }

        queue.CompleteAdding();
        thread!.Join();
        queue.Dispose();
    }

    private void Loop()
    {
        foreach (var work in queue!.GetConsumingEnumerable())
        {
            if (failure is null)
            {
                try
                {
                    work();
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
            }

            lock (gate)
            {
                outstanding--;
                Monitor.PulseAll(gate);
            }
        }
    }
}
