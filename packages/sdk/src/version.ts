declare const __SDK_VERSION__: string;

/** The SDK version, written in by the build from package.json. */
export const SDK_VERSION = __SDK_VERSION__;
