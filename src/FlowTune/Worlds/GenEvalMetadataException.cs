namespace FlowTune.Worlds;

/// <summary>A malformed line of a GenEval metadata file; the message names the line and the problem.</summary>
public sealed class GenEvalMetadataException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="lineNumber">1-based line number.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public GenEvalMetadataException(int lineNumber, string problem, Exception? inner = null)
        : base($"GenEval metadata line {lineNumber}: {problem}", inner)
    {
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>1-based line number of the bad line.</summary>
    public int LineNumber { get; }

    /// <summary>What is wrong with the line.</summary>
    public string Problem { get; }
}
