/// The output side of one accepted client connection.
///
/// The simulator core never touches a socket: it hands finished frames to a
/// link, and the socket glue (a libuv connection in the real server, a byte
/// collector in tests) delivers them. Calls arrive in the order the frames
/// must appear on the wire, sometimes while the connection holds its lock, so
/// an implementation must not call back into the ``SimulatorConnection``
/// synchronously from these methods (report a failed socket later, through
/// ``SimulatorConnection/linkClosed()``).
public protocol SimulatorLink: Sendable {
    /// Queues `bytes` for writing, after everything queued before.
    func write(_ bytes: [UInt8])

    /// Queues `head` and then `body`, after everything queued before, as
    /// one frame: how an `api/response` is written without copying its
    /// body into a frame first. The default joins them for ``write(_:)``.
    func write(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer)

    /// Queues `count` back-to-back copies of `bytes` and calls `completion`
    /// once the last copy has been handed to the socket. Exists so a load
    /// generator can push millions of identical pre-rendered events without
    /// building them one by one; the implementation may write in batches.
    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void)

    /// Closes the connection after the queued bytes have been written.
    func close()
}

extension SimulatorLink {
    public func write(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) {
        var frame = Array(head)
        frame.append(contentsOf: body)
        write(frame)
    }
}
