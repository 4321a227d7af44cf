// The type a dashboard file must have: Grafana's own Dashboard model from
// @grafana/schema, whose version follows the dashboard's schemaVersion (39:
// Grafana 10.3 to 11).
import type { Dashboard } from "@grafana/schema";

// The schema types its enumerations as TypeScript enums, and a dashboard file
// writes their values as strings: Literal<T> accepts an enum's string values
// where the enum is expected, and changes nothing else.
type Literal<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? Literal<U>[]
    : T extends object
      ? { [K in keyof T]: Literal<T[K]> }
      : T;

// What Grafana adds when it exports a dashboard "for sharing externally",
// outside the dashboard model: the data sources the import form asks for,
// library panels, and the plugins the dashboard needs.
interface ExportEnvelope {
  __inputs?: {
    name: string;
    label: string;
    description: string;
    type: "datasource";
    pluginId: string;
    pluginName: string;
  }[];
  __elements?: Record<string, unknown>;
  __requires?: {
    type: "grafana" | "datasource" | "panel";
    id: string;
    name: string;
    version: string;
  }[];
}

export type DashboardFile = Literal<Dashboard> & ExportEnvelope;
