/// An API command between ``SimulatorSwitch/startAPI(name:arguments:connection:)``
/// and ``SimulatorSwitch/finishAPI(_:_:)``: what switch_api_execute has
/// decided before the command runs.
struct APICall: Sendable {
    /// The name as typed, untrimmed: the `Command not found` text quotes it so.
    let name: String
    let invocation: APIInvocation
    /// Nil for an unknown name.
    let command: RegisteredAPICommand?
    /// The API event, numbered at the start and fired at the end; nil when
    /// nobody could receive it (its sequence number is spent all the same).
    let apiEvent: SimulatorEvent?
}
