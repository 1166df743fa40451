import type { Catalog } from './en.js';

export const de: Catalog = {
  'app.name': 'Runde',
  'start.heading': 'Videokonferenzen ohne Cloud',
  'start.intro':
    'Sprechen Sie mit bis zu 8 Personen von Angesicht zu Angesicht. Ton, Bild und Namen gehen direkt zwischen Ihren Browsern; kein Server kann die Besprechung sehen oder aufzeichnen.',
  'start.create': 'Besprechung starten',
  'start.joinLabel': 'Sie haben einen Link? Hier einfügen:',
  'start.joinButton': 'Zur Besprechung',
  'lobby.heading': 'Bereit zum Beitreten?',
  'lobby.preview': 'Vorschau Ihrer Kamera',
  'lobby.cameraOff': 'Kamera ist aus',
  'lobby.name': 'Ihr Name',
  'lobby.namePlaceholder': 'Der Name, den die anderen sehen',
  'lobby.microphone': 'Mikrofon',
  'lobby.camera': 'Kamera',
  'lobby.level': 'Mikrofonpegel',
  'lobby.micToggle': 'Mit eingeschaltetem Mikrofon beitreten',
  'lobby.camToggle': 'Mit eingeschalteter Kamera beitreten',
  'lobby.copyLink': 'Link kopieren',
  'lobby.linkCopied': 'Link kopiert. Senden Sie ihn an die Personen, die Sie treffen möchten.',
  'lobby.copyFailed': 'Kopieren nicht möglich. Markieren Sie die Adresse in der Adressleiste und kopieren Sie sie dort.',
  'lobby.join': 'Beitreten',
  'lobby.audioOnly': 'Sie können nur mit Mikrofon beitreten.',
  'lobby.listenOnly': 'Sie können ohne Mikrofon und Kamera beitreten, um zuzuhören und zuzusehen.',
  'device.default': 'Standardgerät',
  'device.unnamed': 'Gerät {n}',
  'call.you': 'Sie',
  'call.youNamed': '{name} (Sie)',
  'call.guest': 'Gast',
  'call.micOff': 'Mikrofon aus',
  'call.connecting': 'Verbindung wird aufgebaut…',
  'call.alone': 'Sie sind allein hier. Kopieren Sie den Link und senden Sie ihn, um andere einzuladen.',
  'call.participants': '{count} Personen in der Besprechung',
  'controls.label': 'Steuerung der Besprechung',
  'controls.micOff': 'Mikrofon ausschalten',
  'controls.micOn': 'Mikrofon einschalten',
  'controls.camOff': 'Kamera ausschalten',
  'controls.camOn': 'Kamera einschalten',
  'controls.noMic': 'Kein Mikrofon verfügbar',
  'controls.noCam': 'Keine Kamera verfügbar',
  'controls.copyLink': 'Link zur Besprechung kopieren',
  'controls.leave': 'Besprechung verlassen',
  'status.connecting': 'Verbindung zum Besprechungsserver wird aufgebaut…',
  'status.retrying': 'Nächster Versuch in {seconds} s.',
  'status.reconnecting': 'Die Verbindung zum Besprechungsserver ist unterbrochen. Neuer Versuch in {seconds} s…',
  'left.heading': 'Sie haben die Besprechung verlassen.',
  'left.rejoin': 'Wieder beitreten',
  'action.home': 'Zur Startseite',
  'action.reload': 'Seite neu laden',
  'error.ERR_NO_WEBRTC':
    'Dieser Browser kann nicht an Videokonferenzen teilnehmen. Öffnen Sie den Link in einem aktuellen Firefox, Chrome, Edge oder Safari.',
  'error.ERR_LINK_INVALID':
    'Dieser Besprechungslink ist unvollständig. Prüfen Sie, ob Sie den ganzen Link kopiert haben, oder starten Sie eine neue Besprechung.',
  'error.ERR_ROOM_FULL': 'Diese Besprechung ist voll. Bitten Sie jemanden zu gehen, oder starten Sie eine neue Besprechung.',
  'error.ERR_SERVER_FULL': 'Der Besprechungsserver ist ausgelastet. Bitte versuchen Sie es in einigen Minuten erneut.',
  'error.ERR_SIGNALING_UNREACHABLE':
    'Der Besprechungsserver ist nicht erreichbar. Prüfen Sie Ihre Netzwerkverbindung; Runde versucht es weiter.',
  'error.ERR_SIGNALING_REFUSED':
    'Der Besprechungsserver hat die Verbindung beendet. Laden Sie die Seite neu, um wieder beizutreten.',
  'error.ERR_VERSION': 'Diese Seite ist veraltet. Laden Sie sie neu, um die aktuelle Version zu erhalten.',
  'error.ERR_REPLACED':
    'Sie sind dieser Besprechung in einem anderen Tab oder Fenster beigetreten. Machen Sie dort weiter, oder laden Sie diese Seite neu, um die Besprechung hierher zu holen.',
  'error.ERR_PEER_FAILED': 'Die Verbindung zu einer teilnehmenden Person ist fehlgeschlagen.',
  'error.ERR_MEDIA_FAILED':
    'Kamera oder Mikrofon konnten nicht gestartet werden. Laden Sie die Seite neu, um es erneut zu versuchen.',
  'error.ERR_MEDIA_DENIED':
    'Runde darf Kamera oder Mikrofon nicht verwenden. Erlauben Sie sie im Browser und laden Sie neu.',
  'error.ERR_MEDIA_NOT_FOUND': 'Es wurde keine Kamera und kein Mikrofon gefunden.',
  'error.ERR_MEDIA_IN_USE': 'Kamera oder Mikrofon werden von einem anderen Programm verwendet.',
  'media.ERR_MEDIA_DENIED.audio':
    'Das Mikrofon ist blockiert. Erlauben Sie es im Browser (Symbol in der Adressleiste) und laden Sie neu, oder treten Sie ohne bei.',
  'media.ERR_MEDIA_DENIED.video':
    'Die Kamera ist blockiert. Erlauben Sie sie im Browser (Symbol in der Adressleiste) und laden Sie neu, oder treten Sie ohne bei.',
  'media.ERR_MEDIA_NOT_FOUND.audio':
    'Es wurde kein Mikrofon gefunden. Schließen Sie eines an und laden Sie neu, oder treten Sie nur zum Zuhören bei.',
  'media.ERR_MEDIA_NOT_FOUND.video': 'Es wurde keine Kamera gefunden. Sie können nur mit Ton beitreten.',
  'media.ERR_MEDIA_IN_USE.audio':
    'Ein anderes Programm verwendet Ihr Mikrofon. Schließen Sie es (zum Beispiel eine andere Konferenz) und laden Sie neu.',
  'media.ERR_MEDIA_IN_USE.video':
    'Ein anderes Programm verwendet Ihre Kamera. Schließen Sie es (zum Beispiel eine andere Videokonferenz) und laden Sie neu, oder treten Sie ohne Video bei.',
  'media.ERR_MEDIA_FAILED.audio':
    'Das Mikrofon konnte nicht gestartet werden. Laden Sie die Seite neu, oder treten Sie ohne bei.',
  'media.ERR_MEDIA_FAILED.video':
    'Die Kamera konnte nicht gestartet werden. Laden Sie die Seite neu, oder treten Sie ohne bei.',
};
