// Language pickers that show names, not just ISO 639-2 codes. The list comes
// from GET /api/languages once per page load.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import type { Language } from '../api/types';
import { createStore, useStore } from '../lib/store';

const COMMON = ['eng', 'spa', 'jpn', 'fra', 'deu', 'ita', 'por', 'zho', 'kor', 'rus', 'nld', 'pol'];
const languages = createStore<Language[] | null>(null);
let loading: Promise<void> | null = null;

function load(): void {
  if (loading) return;
  loading = unwrap(api.GET('/api/languages', {}))
    .then((list) => {
      const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name));
      languages.set(sorted);
    })
    .catch(() => {
      languages.set([]);
      loading = null;
    });
}

export function useLanguages(): Language[] | null {
  const list = useStore(languages);
  useEffect(load, []);
  return list;
}

export function languageName(code: string | null | undefined, list: Language[] | null): string {
  if (!code) return '—';
  const l = list?.find((x) => x.code === code);
  return l ? `${l.name} (${code})` : code;
}

function Options({ list, value }: { list: Language[]; value: string[] }): ReactNode {
  const common = COMMON.map((c) => list.find((l) => l.code === c)).filter((l): l is Language => !!l);
  const unknown = value.filter((v) => v && !list.some((l) => l.code === v));
  const label = (l: Language) => (l.native && l.native !== l.name ? `${l.name} — ${l.native} (${l.code})` : `${l.name} (${l.code})`);
  return (
    <>
      {unknown.map((c) => (
        <option key={`u-${c}`} value={c}>
          {c}
        </option>
      ))}
      {common.length > 0 && (
        <optgroup label="Common">
          {common.map((l) => (
            <option key={`c-${l.code}`} value={l.code}>
              {label(l)}
            </option>
          ))}
        </optgroup>
      )}
      <optgroup label="All languages">
        {list.map((l) => (
          <option key={l.code} value={l.code}>
            {label(l)}
          </option>
        ))}
      </optgroup>
    </>
  );
}

/** One language; '' means none / any (the `emptyLabel`). */
export function LanguageSelect(props: {
  id?: string;
  label: string;
  value: string | null | undefined;
  onChange: (code: string) => void;
  emptyLabel?: string;
  required?: boolean;
}): ReactNode {
  const list = useLanguages();
  const value = props.value ?? '';
  if (list && list.length === 0) {
    // The list could not be loaded: accept a typed code rather than block the form.
    return (
      <input
        id={props.id}
        aria-label={props.id ? undefined : props.label}
        value={value}
        required={props.required}
        placeholder="ISO 639-2 code, e.g. spa"
        onChange={(e) => props.onChange(e.target.value.trim())}
      />
    );
  }
  return (
    <select
      id={props.id}
      aria-label={props.id ? undefined : props.label}
      value={value}
      required={props.required}
      onChange={(e) => props.onChange(e.target.value)}
    >
      {!props.required || !value ? <option value="">{props.emptyLabel ?? '—'}</option> : null}
      <Options list={list ?? []} value={[value]} />
    </select>
  );
}

/** Several languages kept as a comma-separated list of codes. */
export function LanguageMulti(props: {
  id?: string;
  label: string;
  value: string | null | undefined;
  onChange: (csv: string) => void;
  separator?: string;
}): ReactNode {
  const sep = props.separator ?? ',';
  const list = useLanguages();
  const codes = (props.value ?? '').split(/[,|]/).map((s) => s.trim()).filter(Boolean);
  const [pick, setPick] = useState('');
  const selectId = useId();
  const set = (next: string[]) => props.onChange(next.join(sep));
  return (
    <div className="chips-field">
      <ul className="chips" aria-label={`${props.label}: selected`}>
        {codes.map((c) => (
          <li key={c} className="chip">
            {languageName(c, list)}
            <button type="button" aria-label={`Remove ${c}`} onClick={() => set(codes.filter((x) => x !== c))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <select
        id={props.id ?? selectId}
        aria-label={`${props.label}: add language`}
        value={pick}
        onChange={(e) => {
          const v = e.target.value;
          setPick('');
          if (v && !codes.includes(v)) set([...codes, v]);
        }}
      >
        <option value="">Add language…</option>
        <Options list={list ?? []} value={[]} />
      </select>
    </div>
  );
}
