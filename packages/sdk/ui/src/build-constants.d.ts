/** The DashboardConfig files the build read (scripts/build-ui.ts), parsed from YAML, unvalidated. */
declare const YARDSTICK_DASHBOARDS: readonly unknown[];
