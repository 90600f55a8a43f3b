namespace FlowTune.Torch;

public sealed partial class Tensor
{
    /// <summary>Sum of all elements (0-dim).</summary>
    public Tensor Sum() => Ops.Sum.Call(this);

    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor Sum(long[] dims, bool keepDim = false) => Ops.SumDim.Call(this, dims, keepDim);

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Ops.SumDim.Call(this, new long[] { dim }, keepDim);

    /// <summary>Mean of all elements (0-dim).</summary>
    public Tensor Mean() => Ops.Mean.Call(this);

    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(long[] dims, bool keepDim = false) => Ops.MeanDim.Call(this, dims, keepDim);

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Ops.MeanDim.Call(this, new long[] { dim }, keepDim);

    /// <summary>Variance over <paramref name="dims"/> (null: all) with Bessel correction <paramref name="correction"/>.</summary>
    public Tensor Var(long[]? dims = null, long correction = 1, bool keepDim = false) =>
        Ops.Var.Call(this, dims is null ? Arg.None : dims, correction, keepDim);

    /// <summary>Standard deviation over <paramref name="dims"/> (null: all).</summary>
    public Tensor Std(long[]? dims = null, long correction = 1, bool keepDim = false) =>
        Ops.Std.Call(this, dims is null ? Arg.None : dims, correction, keepDim);

    /// <summary>Largest element (0-dim).</summary>
    public Tensor Max() => Ops.Max.Call(this);

    /// <summary>Largest values and their indices along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => Ops.MaxDim.Call2(this, dim, keepDim);

    /// <summary>Smallest element (0-dim).</summary>
    public Tensor Min() => Ops.Min.Call(this);

    /// <summary>Smallest values and their indices along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => Ops.MinDim.Call2(this, dim, keepDim);

    /// <summary>Index of the largest value along <paramref name="dim"/>.</summary>
    public Tensor Argmax(int dim, bool keepDim = false) => Ops.Argmax.Call(this, dim, keepDim);

    /// <summary>Index of the smallest value along <paramref name="dim"/>.</summary>
    public Tensor Argmin(int dim, bool keepDim = false) => Ops.Argmin.Call(this, dim, keepDim);

    /// <summary>True if every element is non-zero (0-dim bool).</summary>
    public Tensor All() => Ops.All.Call(this);

    /// <summary>True if any element is non-zero (0-dim bool).</summary>
    public Tensor Any() => Ops.Any.Call(this);

    /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
    public Tensor Cumsum(int dim) => Ops.Cumsum.Call(this, dim);

    /// <summary>Sorted values and indices along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false) => Ops.Sort.Call2(this, dim, descending);
}
