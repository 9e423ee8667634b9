// Dialogs on the native <dialog> element: focus is trapped and Escape closes
// them without any extra code.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Icon } from './icons';

export function Modal(props: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className={props.wide ? 'modal modal-wide' : 'modal'}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) props.onClose();
      }}
    >
      {props.open && (
        <div className="modal-inner">
          <header className="modal-header">
            <h2 id={titleId}>{props.title}</h2>
            <button type="button" className="btn-icon" aria-label="Close" onClick={props.onClose}>
              <Icon name="close" />
            </button>
          </header>
          <div className="modal-body">{props.children}</div>
          {props.footer && <footer className="modal-footer">{props.footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): ReactNode {
  return (
    <Modal
      title={props.title}
      open={props.open}
      onClose={props.onCancel}
      footer={
        <>
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className={props.danger ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={props.busy}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <p>{props.message}</p>
    </Modal>
  );
}

/** A form dialog's footer: Cancel, and the button that submits the form `form` (by id). */
export function FormFooter(props: { form: string; onCancel: () => void; label: ReactNode; disabled?: boolean }): ReactNode {
  return (
    <>
      <button type="button" className="btn" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" form={props.form} className="btn btn-primary" disabled={props.disabled}>
        {props.label}
      </button>
    </>
  );
}
