using System.Buffers;

namespace OrleansRouting.WebFront.Webhook;

internal static class BoundedBody
{
    /// <summary>Reads at most <paramref name="maxBytes"/>; null when the body is larger (read no further than one byte past the limit).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        while (true)
        {
            // No size hint: a hint larger than the free space would regrow the buffer sized from Content-Length.
            var memory = buffer.GetMemory();
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }
}
