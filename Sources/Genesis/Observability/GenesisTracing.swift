import Tracing

/// Opens Genesis' spans through swift-distributed-tracing, for the library
/// and for capabilities built on it (channels, ring groups, queues).
///
/// Without a bootstrapped tracer the spans are no-ops. There is no span per
/// event: at a million events a second a span each would cost more than the
/// events. Attributes must never carry the ESL password or a whole command
/// line; pass verbs, states and ids.
///
/// ```swift
/// try await GenesisTracing.withSpan(.channelAnswer, attributes: ["channel.uuid": uuid]) { span in
///     try await client.api("uuid_answer \(uuid)")
/// }
/// ```
public enum GenesisTracing {
    /// Whether a tracer is installed: without one, a hot path can skip
    /// ``withSpan(_:attributes:ofKind:isolation:_:)`` and its closure
    /// altogether.
    package static var isTracing: Bool {
        // A comparison of metadata, not an `is` cast (a runtime dynamic
        // cast): NoOpInstrument is a struct, so nothing else has its type.
        !(type(of: InstrumentationSystem.instrument) == NoOpInstrument.self
            || InstrumentationSystem.tracer is NoOpTracer)
    }

    /// Runs `operation` inside a span; an error it throws is recorded on the
    /// span and rethrown. `attributes` is evaluated only when the span
    /// records, so an untraced command builds no dictionary.
    public static func withSpan<T>(
        _ name: GenesisSpanName,
        attributes: @autoclosure () -> [String: String] = [:],
        ofKind kind: SpanKind = .client,
        isolation: isolated (any Actor)? = #isolation,
        _ operation: (any Span) async throws -> T
    ) async rethrows -> T {
        // Without a tracer, skip swift-distributed-tracing's generic layers
        // (a task-local binding and three closures): their async frames stay
        // in a task's stack allocator for the task's life, a few KiB for
        // each of 10,000 held outbound sessions. Most processes install no
        // instrument at all, which its concrete type tells with one cheap
        // cast, asked first: the tracer lookup (a lock and a
        // protocol-conformance search) was a tenth of a pipelined command's
        // time. (`tracer` finds every installed Tracer; only the deprecated
        // LegacyTracer-only kind, which no current backend is, is missed.)
        if !isTracing {
            return try await operation(NoOpTracer.NoOpSpan(context: ServiceContext.current ?? .topLevel))
        }
        return try await Tracing.withSpan(name.rawValue, ofKind: kind, isolation: isolation) { span in
            if span.isRecording {
                let attributes = attributes()
                span.updateAttributes { spanAttributes in
                    for (key, value) in attributes { spanAttributes[key] = value }
                }
            }
            return try await operation(span)
        }
    }
}
