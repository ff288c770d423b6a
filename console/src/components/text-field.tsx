import { useId } from 'preact/hooks';

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'email' | 'date' | 'search' | 'number';
  required?: boolean;
  autoComplete?: string;
  hint?: string;
  /** Errors the service reported for this field (the envelope's details). */
  errors?: string[];
  min?: string | number;
  max?: string | number;
  maxLength?: number;
  disabled?: boolean;
}

/** A labelled input whose hint and errors are announced with it (aria-describedby). */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const errors = props.errors ?? [];
  const described = [props.hint && `${id}-hint`, errors.length > 0 && `${id}-errors`]
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {!props.required && <span class="optional"> (optional)</span>}
      </label>
      <input
        id={id}
        name={props.name}
        // Preact types each input type as its own variant; one whose type is a prop is checked as text.
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        onInput={(event) => props.onValue(event.currentTarget.value)}
        required={props.required}
        autoComplete={props.autoComplete ?? 'off'}
        min={props.min}
        max={props.max}
        maxLength={props.maxLength}
        disabled={props.disabled}
        aria-invalid={errors.length > 0 ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {errors.length > 0 && (
        <p class="field-error" id={`${id}-errors`}>
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}
