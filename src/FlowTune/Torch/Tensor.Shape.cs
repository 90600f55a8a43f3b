namespace FlowTune.Torch;

public sealed partial class Tensor
{
    /// <summary>A view with a new shape (one entry may be -1).</summary>
    public Tensor View(params long[] shape) => Ops.View.Call(this, shape);

    /// <summary>A tensor with a new shape (a view when possible).</summary>
    public Tensor Reshape(params long[] shape) => Ops.Reshape.Call(this, shape);

    /// <summary>Reorders dimensions.</summary>
    public Tensor Permute(params long[] dims) => Ops.Permute.Call(this, dims);

    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(int dim0, int dim1) => Ops.Transpose.Call(this, dim0, dim1);

    /// <summary>Merges dimensions start..end into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1) => Ops.Flatten.Call(this, startDim, endDim);

    /// <summary>Inserts a size-1 dimension.</summary>
    public Tensor Unsqueeze(int dim) => Ops.Unsqueeze.Call(this, dim);

    /// <summary>Removes a size-1 dimension.</summary>
    public Tensor Squeeze(int dim) => Ops.SqueezeDim.Call(this, dim);

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along <paramref name="dim"/>.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0) => NonNull(Ops.Chunk.CallMany(this, chunks, dim));

    /// <summary>Splits into pieces of <paramref name="size"/> (the last may be smaller).</summary>
    public Tensor[] Split(long size, int dim = 0) => NonNull(Ops.Split.CallMany(this, size, dim));

    /// <summary>Splits into pieces of the given sizes.</summary>
    public Tensor[] Split(long[] sizes, int dim = 0) => NonNull(Ops.SplitWithSizes.CallMany(this, sizes, dim));

    /// <summary>Elements start..end-1 (step) along <paramref name="dim"/>, as a view. Negative indices count from the end.</summary>
    public Tensor Slice(int dim, long start, long end, long step = 1) => Ops.Slice.Call(this, dim, start, end, step);

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along <paramref name="dim"/>.</summary>
    public Tensor Narrow(int dim, long start, long length) => Ops.Narrow.Call(this, dim, start, length);

    /// <summary>Index <paramref name="index"/> along <paramref name="dim"/> (removes that dimension).</summary>
    public Tensor Select(int dim, long index) => Ops.Select.Call(this, dim, index);

    /// <summary>Gathers the entries listed by an int64 <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor IndexSelect(int dim, Tensor index) => Ops.IndexSelect.Call(this, dim, index);

    /// <summary>torch.gather.</summary>
    public Tensor Gather(int dim, Tensor index) => Ops.Gather.Call(this, dim, index);

    /// <summary>Broadcasts size-1 dimensions (a view; -1 keeps a size).</summary>
    public Tensor Expand(params long[] shape) => Ops.Expand.Call(this, shape);

    /// <summary>Tiles the tensor.</summary>
    public Tensor Repeat(params long[] repeats) => Ops.Repeat.Call(this, repeats);

    /// <summary>Reverses the order along dims.</summary>
    public Tensor Flip(params long[] dims) => Ops.Flip.Call(this, dims);

    /// <summary>The upper triangle from diagonal <paramref name="diagonal"/> up (the rest zero), over the last two dims.</summary>
    public Tensor Triu(long diagonal = 0) => Ops.Triu.Call(this, diagonal);

    /// <summary>Pads the last dimensions: pairs (before, after) starting from the last dimension.</summary>
    public Tensor Pad(long[] pad, double value = 0) => Ops.ConstantPad.Call(this, pad, value);

    /// <summary>A contiguous tensor with the same values.</summary>
    public Tensor Contiguous() => Ops.Contiguous.Call(this);

    /// <summary>A copy (differentiable).</summary>
    public Tensor Clone() => Ops.Clone.Call(this);

    /// <summary>The same data without autograd history.</summary>
    public Tensor Detach() => Ops.Detach.Call(this);

    /// <summary>Converts the dtype (a new handle even when unchanged).</summary>
    public Tensor To(DType dtype) => Ops.ToDType.Call(this, dtype);

    /// <summary>Moves to a device (a new handle even when unchanged).</summary>
    public Tensor To(Device device) => Ops.ToDevice.Call(this, device, DType);

    private static Tensor[] NonNull(Tensor?[] parts)
    {
        var result = new Tensor[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            result[k] = parts[k] ?? throw new TorchException("libtorch returned an undefined tensor in a list");
        }
        return result;
    }
}
