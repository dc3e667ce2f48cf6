// The reader page's script: makes the server-rendered story live.
import { mountLiveView } from './live-view.js'

const root = document.querySelector('.liveline[data-story]')
if (root && !root.dataset.archive) mountLiveView(root, { setTitle: true })
