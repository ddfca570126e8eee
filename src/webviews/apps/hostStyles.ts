// The MCP Apps standard style variables (ext-apps 2026-01-26, "Theming") taken from the VS Code
// theme. Pure: the page resolves each `--vscode-*` name with getComputedStyle, because the app's
// frame is a separate document that has none of VS Code's variables; literal values pass through.
// The colour mapping is the one VS Code 1.139's own MCP App host uses (research note 1.5).

/** A value: a VS Code theme variable (resolved by the page), or a literal CSS value. */
export type StyleSource = { vscode: string; fallback?: string } | { literal: string };

const v = (name: string, fallback?: string): StyleSource => (fallback === undefined ? { vscode: name } : { vscode: name, fallback });
const lit = (value: string): StyleSource => ({ literal: value });

const COLOURS: Record<string, Record<string, StyleSource>> = {
  background: {
    primary: v('editor-background'), secondary: v('sideBar-background', '#00000000'), tertiary: v('activityBar-background', '#00000000'),
    inverse: v('editor-foreground'), ghost: lit('transparent'), info: v('inputValidation-infoBackground'),
    danger: v('inputValidation-errorBackground'), success: v('diffEditor-insertedTextBackground'),
    warning: v('inputValidation-warningBackground'), disabled: v('editor-inactiveSelectionBackground'),
  },
  text: {
    primary: v('foreground'), secondary: v('descriptionForeground'), tertiary: v('disabledForeground'),
    inverse: v('editor-background'), ghost: v('descriptionForeground'), info: v('textLink-foreground'),
    danger: v('errorForeground'), success: v('testing-iconPassed'), warning: v('editorWarning-foreground'),
    disabled: v('disabledForeground'),
  },
  border: {
    primary: v('widget-border', 'transparent'), secondary: v('editorWidget-border', 'transparent'), tertiary: v('panel-border', 'transparent'),
    inverse: v('foreground'), ghost: lit('transparent'), info: v('inputValidation-infoBorder'),
    danger: v('inputValidation-errorBorder'), success: v('testing-iconPassed'), warning: v('inputValidation-warningBorder'),
    disabled: v('disabledForeground'),
  },
  ring: {
    primary: v('focusBorder'), secondary: v('focusBorder'), inverse: v('foreground'), info: v('inputValidation-infoBorder'),
    danger: v('inputValidation-errorBorder'), success: v('testing-iconPassed'), warning: v('inputValidation-warningBorder'),
  },
};

/** Every standard variable an app may read, and where its value comes from. */
export const APP_STYLE_VARIABLES: Readonly<Record<string, StyleSource>> = (() => {
  const out: Record<string, StyleSource> = {};
  for (const [group, entries] of Object.entries(COLOURS)) for (const [k, s] of Object.entries(entries)) out[`--color-${group}-${k}`] = s;
  out['--font-sans'] = v('font-family', 'system-ui, sans-serif');
  out['--font-mono'] = v('editor-font-family', 'monospace');
  Object.assign(out, {
    '--font-weight-normal': lit('400'), '--font-weight-medium': lit('500'), '--font-weight-semibold': lit('600'), '--font-weight-bold': lit('700'),
  });
  const text: [string, number][] = [['xs', 10], ['sm', 11], ['md', 13], ['lg', 14]];
  for (const [k, px] of text) { out[`--font-text-${k}-size`] = lit(`${px}px`); out[`--font-text-${k}-line-height`] = lit('1.5'); }
  const heading: [string, number][] = [['xs', 16], ['sm', 18], ['md', 20], ['lg', 24], ['xl', 30], ['2xl', 36], ['3xl', 48]];
  for (const [k, px] of heading) { out[`--font-heading-${k}-size`] = lit(`${px}px`); out[`--font-heading-${k}-line-height`] = lit('1.25'); }
  const radius: [string, string][] = [['xs', '2px'], ['sm', '3px'], ['md', '4px'], ['lg', '6px'], ['xl', '8px'], ['full', '9999px']];
  for (const [k, px] of radius) out[`--border-radius-${k}`] = lit(px);
  out['--border-width-regular'] = lit('1px');
  out['--shadow-hairline'] = { vscode: 'widget-shadow', fallback: 'transparent' };
  for (const k of ['sm', 'md', 'lg']) out[`--shadow-${k}`] = { vscode: 'widget-shadow', fallback: 'transparent' };
  return out;
})();

/**
 * The variables' values, given a lookup of VS Code's (`--vscode-X` → its value, '' when unset).
 * Shadows become box-shadow values of the theme's shadow colour.
 */
export function resolveStyleVariables(lookup: (vscodeVariable: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, source] of Object.entries(APP_STYLE_VARIABLES)) {
    let value = 'literal' in source ? source.literal : lookup(`--vscode-${source.vscode}`).trim() || source.fallback || '';
    if (name.startsWith('--shadow-') && value && value !== 'transparent') {
      const size = name === '--shadow-hairline' ? '0 0 0 1px' : name === '--shadow-sm' ? '0 1px 2px' : name === '--shadow-md' ? '0 2px 8px' : '0 4px 16px';
      value = `${size} ${value}`;
    }
    if (value) out[name] = value;
  }
  return out;
}

/** VS Code's theme kind (the page body's class) as the app's light/dark. */
export function themeOf(bodyClasses: readonly string[]): 'light' | 'dark' {
  if (bodyClasses.includes('vscode-high-contrast-light') || bodyClasses.includes('vscode-light')) return 'light';
  return 'dark';
}
