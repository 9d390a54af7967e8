import Instrumentation
import Genesis
import Synchronization
import Tracing

/// A tracer that keeps every finished span's name and attributes, for
/// asserting what the library traces. Bootstrapped once for the test process
/// (InstrumentationSystem takes one bootstrap), then shared.
final class CapturingTracer: Tracer, Sendable {
    struct Finished: Sendable {
        let name: String
        let attributes: [String: String]
    }

    static let shared: CapturingTracer = {
        let tracer = CapturingTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()

    let finished = Lock<[Finished]>([])

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> CapturedSpan {
        CapturedSpan(name: operationName, context: context(), tracer: self)
    }

    func forceFlush() {}

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {}

    func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {}

    final class CapturedSpan: Tracing.Span, Sendable {
        let context: ServiceContext
        private let tracer: CapturingTracer
        private let state: Lock<(name: String, attributes: SpanAttributes)>

        init(name: String, context: ServiceContext, tracer: CapturingTracer) {
            self.context = context
            self.tracer = tracer
            state = Lock((name, [:]))
        }

        var operationName: String {
            get { state.withLock { $0.name } }
            set { state.withLock { $0.name = newValue } }
        }

        var attributes: SpanAttributes {
            get { state.withLock { $0.attributes } }
            set { state.withLock { $0.attributes = newValue } }
        }

        var isRecording: Bool { true }
        func setStatus(_ status: SpanStatus) {}
        func addEvent(_ event: SpanEvent) {}
        func recordError<Instant: TracerInstant>(
            _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}
        func addLink(_ link: SpanLink) {}

        func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
            let (name, attributes) = state.withLock { ($0.name, $0.attributes) }
            var flat: [String: String] = [:]
            attributes.forEach { key, value in
                if case .string(let text) = value { flat[key] = text } else { flat[key] = "\(value)" }
            }
            tracer.finished.withLock { $0.append(Finished(name: name, attributes: flat)) }
        }
    }
}
