/// Lives exactly as long as its ``SimulatorSwitch`` (which alone owns it):
/// the switch's timers hold it weakly, so they act only while the switch
/// exists, and while acting they hold it, and through it the
/// ``SwitchCore``, strongly. The side table that weak reference needs
/// lands here, on an object nothing retains per command (see SwitchCore).
final class SwitchLifetime: Sendable {
    let core: SwitchCore

    init(core: SwitchCore) {
        self.core = core
    }
}
