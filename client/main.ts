/** Entry point of the browser app: defines the elements; index.html holds <runde-app>. */
import './ui/app.js';
