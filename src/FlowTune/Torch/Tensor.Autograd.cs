using FlowTune.Interop;

namespace FlowTune.Torch;

public sealed partial class Tensor
{
    /// <summary>Whether autograd tracks operations on this tensor. Setting it is allowed on leaves only.</summary>
    public bool RequiresGrad
    {
        get
        {
            NativeError.Check(NativeMethods.ft_tensor_requires_grad(Handle, -1, out var r));
            return r != 0;
        }
        set => NativeError.Check(NativeMethods.ft_tensor_requires_grad(Handle, value ? 1 : 0, out _));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor WithRequiresGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>True for tensors not produced by a recorded operation.</summary>
    public bool IsLeaf
    {
        get
        {
            NativeError.Check(NativeMethods.ft_tensor_is_leaf(Handle, out var r));
            return r != 0;
        }
    }

    /// <summary>The accumulated gradient (a new handle), or null when none has been computed.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeError.Check(NativeMethods.ft_tensor_grad(Handle, out var h));
            return h == IntPtr.Zero ? null : FromOwnedHandle(h);
        }
    }

    /// <summary>Drops the accumulated gradient (the next backward starts from none).</summary>
    public void ClearGrad() => NativeError.Check(NativeMethods.ft_tensor_clear_grad(Handle));

    /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        NativeError.Check(NativeMethods.ft_tensor_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph ? 1 : 0, createGraph ? 1 : 0));
        GC.KeepAlive(gradient);
    }

    /// <summary>
    /// Replaces this tensor's data (shape, dtype, device may change) while keeping its identity, like
    /// <c>param.data = source</c> in PyTorch: modules and optimizers that hold this tensor see the new data.
    /// </summary>
    public void SetData(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeError.Check(NativeMethods.ft_tensor_set_data(Handle, source.Handle));
        GC.KeepAlive(source);
    }
}
