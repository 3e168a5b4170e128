import type { SelectHTMLAttributes } from 'react';

export interface NativeOption {
  readonly value: string;
  readonly label: string;
}

type Props = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> & {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly options: readonly NativeOption[];
  /** The label of an empty first option (no filter); none when absent. */
  readonly allLabel?: string;
};

/** A plain <select> dressed like antd's inputs: keyboard- and test-friendly, and light. */
export function NativeSelect({ value, onChange, options, allLabel, className, ...rest }: Props) {
  return (
    <select {...rest} className={`fb-native-select${className ? ` ${className}` : ''}`} value={value} onChange={(e) => onChange(e.target.value)}>
      {allLabel !== undefined ? <option value="">{allLabel}</option> : null}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
