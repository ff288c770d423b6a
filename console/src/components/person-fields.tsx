import { type Failure, fieldErrors } from '../lib/api.js';
import { TextField } from './text-field.js';

/** Today as YYYY-MM-DD in local time: the latest birthdate the forms offer (the service wants a past date). */
export function today(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

interface PersonFieldsProps {
  name: string;
  birthdate: string;
  email: string;
  onName: (value: string) => void;
  onBirthdate: (value: string) => void;
  onEmail: (value: string) => void;
  /** The service's answer to the last submit: its field errors are shown under each field. */
  failure?: Failure;
  disabled?: boolean;
  /** Off when editing someone else's record: the browser's own details would be wrong there. */
  autoComplete?: boolean;
  emailHint?: string;
}

/** A person's name, birthdate and optional e-mail, with the limits add_user and the user update apply. */
export function PersonFields(props: PersonFieldsProps) {
  const auto = props.autoComplete ?? true;
  return (
    <>
      <TextField
        label="Name"
        name="name"
        value={props.name}
        onValue={props.onName}
        required
        maxLength={200}
        autoComplete={auto ? 'name' : undefined}
        errors={fieldErrors(props.failure, 'name')}
        disabled={props.disabled}
      />
      <TextField
        label="Birthdate"
        name="birthdate"
        type="date"
        value={props.birthdate}
        onValue={props.onBirthdate}
        required
        max={today()}
        errors={fieldErrors(props.failure, 'birthdate')}
        disabled={props.disabled}
      />
      <TextField
        label="E-mail"
        name="email"
        type="email"
        value={props.email}
        onValue={props.onEmail}
        maxLength={254}
        autoComplete={auto ? 'email' : undefined}
        errors={fieldErrors(props.failure, 'email')}
        disabled={props.disabled}
        hint={props.emailHint}
      />
    </>
  );
}
