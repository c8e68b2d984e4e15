// Test helper: a minimal stand-in for the `vscode` module, enough to run the
// real @vscode/extension-telemetry outside VS Code. It copies what VS Code's
// extension-host telemetry logger (ExtHostTelemetryLogger) does with an
// event: prefix the name with the extension id, mix in VS Code's common
// properties (common.extname, common.vscodemachineid, …) and the
// reporter's own (common.os, common.platformversion, …), unwrap trusted
// values, and hand the result to the reporter's sender.
//
// `loadExtensionTelemetry` loads the package (afresh each time) through Node's
// own require, with `require("vscode")` answered by the given stand-in.
import Module, { createRequire } from "node:module";
import path from "node:path";

export type VsCodeIdentity = {
  extensionId: string;
  extensionVersion: string;
  machineId: string;
  sessionId: string;
  vscodeVersion: string;
  uiKind: "desktop" | "web";
};

type SenderData = { properties?: Record<string, unknown>; measurements?: Record<string, number>; tagOverrides?: Record<string, string> };
type TelemetrySender = {
  sendEventData(eventName: string, data?: SenderData): void;
  sendErrorData(error: Error, data?: SenderData): void;
  flush?(): Promise<void> | void;
};

class TelemetryTrustedValue<T = unknown> {
  constructor(readonly value: T) {}
}

class EventEmitter<T> {
  private listeners: Array<(value: T) => void> = [];
  readonly event = (listener: (value: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((candidate) => candidate !== listener)) };
  };
  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export function createVsCodeStandIn(identity: VsCodeIdentity) {
  const commonProperties = {
    "common.extname": identity.extensionId,
    "common.extversion": identity.extensionVersion,
    "common.vscodemachineid": identity.machineId,
    "common.vscodesessionid": identity.sessionId,
    "common.vscodeversion": identity.vscodeVersion,
    "common.uikind": identity.uiKind,
    "common.remotename": "none",
    "common.isnewappinstall": "false",
    "common.product": identity.uiKind,
  };
  return {
    version: identity.vscodeVersion,
    EventEmitter,
    TelemetryTrustedValue,
    env: {
      machineId: identity.machineId,
      sessionId: identity.sessionId,
      createTelemetryLogger(sender: TelemetrySender, options?: { additionalCommonProperties?: Record<string, unknown> }) {
        const mixIn = (data: SenderData = {}): SenderData => {
          const properties: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(data.properties ?? {})) {
            properties[name] = value instanceof TelemetryTrustedValue ? value.value : value;
          }
          return { ...data, properties: { ...properties, ...options?.additionalCommonProperties, ...commonProperties } };
        };
        const logEvent = (eventName: string, data?: SenderData) => sender.sendEventData(`${identity.extensionId}/${eventName}`, mixIn(data));
        return {
          isUsageEnabled: true,
          isErrorsEnabled: true,
          onDidChangeEnableStates: new EventEmitter<unknown>().event,
          logUsage: logEvent,
          logError(eventNameOrError: string | Error, data?: SenderData) {
            if (typeof eventNameOrError === "string") logEvent(eventNameOrError, data);
            else sender.sendErrorData(eventNameOrError, mixIn(data));
          },
          dispose() {},
        };
      },
    },
  };
}

type ModuleLoader = { _load(request: string, parent: unknown, isMain: boolean): unknown };

/** Loads the real @vscode/extension-telemetry with `vscode` answered by `standIn`; `restore` undoes the hook. */
export function loadExtensionTelemetry(standIn: object): { TelemetryReporter: new (...args: unknown[]) => ExtensionTelemetryReporter; restore(): void } {
  const loader = Module as unknown as ModuleLoader;
  const originalLoad = loader._load;
  loader._load = function (request, parent, isMain) {
    if (request === "vscode") return standIn;
    return originalLoad.call(this, request, parent, isMain);
  };
  const require = createRequire(import.meta.url);
  // The package keeps the `vscode` it required at load: load it afresh for this stand-in.
  for (const file of Object.keys(require.cache)) if (file.includes(`${path.sep}@vscode${path.sep}extension-telemetry${path.sep}`)) delete require.cache[file];
  const { TelemetryReporter } = require("@vscode/extension-telemetry") as { TelemetryReporter: new (...args: unknown[]) => ExtensionTelemetryReporter };
  return { TelemetryReporter, restore: () => (loader._load = originalLoad) };
}

/** The part of the package's TelemetryReporter the tests use. */
export type ExtensionTelemetryReporter = {
  sendTelemetryEvent(eventName: string, properties?: Record<string, string>, measurements?: Record<string, number>): void;
  sendTelemetryErrorEvent(eventName: string, properties?: Record<string, string>, measurements?: Record<string, number>): void;
  sendDangerousTelemetryException(exception: Error, properties?: Record<string, string>, measurements?: Record<string, number>): void;
  dispose(): Promise<unknown>;
};
